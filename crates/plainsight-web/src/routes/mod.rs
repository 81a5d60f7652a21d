//! The URL map. Every route is listed here with the permission its handler checks; handlers
//! check records (team ownership) themselves.

mod admin;
mod auth;
mod cases;
pub(crate) mod leads;
pub(crate) mod package;
mod search;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;

use crate::context::load_session;
use crate::error::error_pages;
use crate::security::{cross_site_guard, security_headers};
use crate::{AppState, WebError, assets};

/// Declares every route once: the router is built from the list, and [`URL_MAP`] lists the
/// same paths and methods, so tests can walk every page (a route cannot be added to one and
/// not the other).
macro_rules! url_map {
    ($($path:literal => $m0:ident($h0:path) $(. $m:ident($h:path))* ;)*) => {
        /// Every route of the application: its path and its methods.
        pub const URL_MAP: &[(&str, &[&str])] = &[$(($path, &[stringify!($m0) $(, stringify!($m))*])),*];

        fn routes() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::$m0($h0)$(.$m($h))*))*
        }
    };
}

url_map! {
    // Signing in and out: open to everyone (the log-on form has its own token).
    "/login" => get(auth::login_form).post(auth::login);
    "/mfa" => get(auth::mfa_form).post(auth::mfa);
    "/password" => get(auth::password_form).post(auth::change_password);
    "/logout" => post(auth::logout);
    // ViewAggregates.
    "/" => get(leads::dashboard);
    // ViewLeads / ViewAds / Label.
    "/leads" => get(leads::queue);
    "/leads.csv" => get(leads::queue_csv);
    "/leads/bulk" => post(leads::bulk);
    "/networks/{id}" => get(leads::network);
    "/networks/{id}/label" => post(leads::label);
    "/networks/{id}/graph.svg" => get(leads::network_graph_svg);
    "/ads/{key}" => get(leads::ad);
    // Search.
    "/search" => get(search::search);
    "/search.csv" => get(search::export_csv);
    // ManageCases / Export.
    "/cases" => get(cases::list).post(cases::create);
    "/cases/{id}" => get(cases::show);
    "/cases/add" => post(cases::add_item);
    "/cases/{id}/items/remove" => post(cases::remove_item);
    "/cases/{id}/notes" => post(cases::add_note);
    "/cases/{id}/status" => post(cases::set_status);
    "/cases/{id}/export.html" => get(cases::export_html);
    "/cases/{id}/export.csv" => get(cases::export_csv);
    "/cases/{id}/package.zip" => get(cases::export_zip);
    "/cases/{id}/details" => post(cases::set_details);
    // ManageUsers / ManageSettings / ViewAuditLog.
    "/admin/users" => get(admin::users).post(admin::create_user);
    "/admin/users/{id}" => post(admin::change_user);
    "/admin/settings" => get(admin::settings).post(admin::save_settings);
    "/admin/audit" => get(admin::audit_log);
    // Embedded assets.
    "/static/{file}" => get(assets::serve);
}

pub fn router(state: AppState) -> Router {
    routes()
        .fallback(|| async { WebError::NotFound })
        .layer(from_fn_with_state(state.clone(), error_pages))
        .layer(from_fn_with_state(state.clone(), load_session))
        .layer(from_fn(cross_site_guard))
        .layer(DefaultBodyLimit::max(crate::limits::BODY_LIMIT_BYTES))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
}

/// A CSV file the web application writes (an export or a part of the case package): rows of
/// cells in memory, then a download or bytes. Every CSV route builds its file through this, so
/// the writer, its errors and the download headers are set in one place.
pub(crate) struct CsvFile {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvFile {
    pub(crate) fn new() -> Self {
        CsvFile {
            writer: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// One row. Text from ads, users or outsiders goes through [`csv_text`] first; numbers and
    /// dates the program writes itself do not need it.
    pub(crate) fn row<I>(&mut self, cells: I) -> Result<(), WebError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        self.writer
            .write_record(cells)
            .map_err(|e| WebError::Internal(e.to_string()))
    }

    /// The finished file's bytes.
    pub(crate) fn into_bytes(self) -> Result<Vec<u8>, WebError> {
        self.writer
            .into_inner()
            .map_err(|e| WebError::Internal(e.to_string()))
    }

    /// The finished file as a download named `filename` (a name the server makes, never one
    /// from the request).
    pub(crate) fn download(self, filename: &str) -> Result<axum::response::Response, WebError> {
        use axum::http::{HeaderValue, header};
        use axum::response::IntoResponse;
        let body = self.into_bytes()?;
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let mut res = body.into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        res.headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
        Ok(res)
    }
}

/// A text cell a spreadsheet shows as text, never as a formula (the program's one rule,
/// [`plainsight_core::spreadsheet_safe`]).
pub(crate) fn csv_text(s: &str) -> String {
    plainsight_core::spreadsheet_safe(s).into_owned()
}

/// The checks every export starts with: the permission to see what is exported (`view`), then
/// *export*, each refusal audited under `action`.
pub(crate) async fn require_export(
    state: &AppState,
    user: &crate::context::Signed,
    view: plainsight_access::Permission,
    action: &str,
    object: Option<String>,
) -> Result<(), WebError> {
    user.require_audited(state, view, action, object.clone())
        .await?;
    user.require_audited(state, plainsight_access::Permission::Export, action, object)
        .await
}
