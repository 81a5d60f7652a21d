//! The URL map. Every route is listed here with the permission its handler checks; handlers
//! check records (team ownership) themselves.

mod admin;
mod auth;
mod cases;
mod leads;
mod search;

use axum::Router;
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::context::load_session;
use crate::error::error_pages;
use crate::security::{cross_site_guard, security_headers};
use crate::{AppState, WebError, assets};

pub fn router(state: AppState) -> Router {
    Router::new()
        // Signing in and out: open to everyone (the log-on form has its own token).
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/mfa", get(auth::mfa_form).post(auth::mfa))
        .route(
            "/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/logout", post(auth::logout))
        // ViewAggregates.
        .route("/", get(leads::dashboard))
        // ViewLeads / ViewAds / Label.
        .route("/leads", get(leads::queue))
        .route("/networks/{id}", get(leads::network))
        .route("/networks/{id}/label", post(leads::label))
        .route("/ads/{key}", get(leads::ad))
        // Search.
        .route("/search", get(search::search))
        // ManageCases / Export.
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/add", post(cases::add_item))
        .route("/cases/{id}/items/remove", post(cases::remove_item))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/status", post(cases::set_status))
        .route("/cases/{id}/export.html", get(cases::export_html))
        .route("/cases/{id}/export.csv", get(cases::export_csv))
        // ManageUsers / ManageSettings / ViewAuditLog.
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}", post(admin::change_user))
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route("/admin/audit", get(admin::audit_log))
        // Embedded assets.
        .route("/static/{file}", get(assets::serve))
        .fallback(|| async { WebError::NotFound })
        .layer(from_fn_with_state(state.clone(), error_pages))
        .layer(from_fn_with_state(state.clone(), load_session))
        .layer(from_fn(cross_site_guard))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
}
