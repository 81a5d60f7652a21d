//! Errors a request can end in, and the one table that maps each to an HTTP status and the
//! page the user sees. Details of internal errors go to the server log, never to the page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use plainsight_store::StoreError;

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No session, or it expired: go and sign in.
    #[error("sign-in required")]
    SignInRequired,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Missing, or belongs to another team (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// The anti-forgery token or the request's origin was wrong.
    #[error("the form was stale or came from another site; reload the page and try again")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("too many attempts; wait a few minutes and try again")]
    TooManyAttempts,
    /// The request body is larger than any form of the application sends.
    #[error("the request is larger than the {} KiB a form may send", crate::limits::BODY_LIMIT_BYTES / 1024)]
    PayloadTooLarge,
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl WebError {
    /// The one table from error to status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::SignInRequired => StatusCode::SEE_OTHER,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Store(StoreError::NotFound { .. }) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
            // Refused by the store inside the change's own transaction (see `require_open_case`).
            WebError::Store(StoreError::CaseClosed { .. }) => StatusCode::CONFLICT,
            WebError::Store(StoreError::OutOfRange { .. }) => StatusCode::BAD_REQUEST,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user is told. Internal details stay in the server log.
    fn public_message(&self) -> String {
        match self {
            WebError::Store(StoreError::NotFound { .. }) => "Not found.".to_string(),
            WebError::Store(StoreError::Conflict { what, id }) => {
                format!("{what} {id} already exists.")
            }
            WebError::Store(e @ StoreError::OutOfRange { .. }) => format!("{e}."),
            WebError::Store(StoreError::CaseClosed { .. }) => {
                "This case folder is closed: it is read-only until it is reopened.".to_string()
            }
            WebError::Store(_) | WebError::Internal(_) => {
                "Something went wrong on the server. It has been logged; try again, and tell \
                 your administrator if it keeps happening."
                    .to_string()
            }
            other => {
                let mut m = other.to_string();
                if let Some(first) = m.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                m.push('.');
                m
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self, WebError::SignInRequired) {
            return Redirect::to("/login").into_response();
        }
        let status = self.status();
        if status.is_server_error() {
            eprintln!("plainsight-web: {self}");
        }
        // A bare page here; `error_pages` (which knows the user and the demo mode) draws the
        // full one from the message left in the response's extensions.
        let message = self.public_message();
        let body = crate::views::error_page(status, &message, None, false);
        let mut res = (status, body).into_response();
        res.extensions_mut().insert(ErrorMessage(message));
        res
    }
}

/// The message of an error response, for `error_pages`.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// Redraw error pages inside the full page frame: navigation for the signed-in user, and the
/// demo label, which every page carries.
pub async fn error_pages(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let session = req
        .extensions()
        .get::<crate::context::MaybeSession>()
        .and_then(|s| s.0.clone());
    let client = req
        .extensions()
        .get::<crate::context::ClientAddr>()
        .cloned();
    let res = next.run(req).await;
    let message = match res.extensions().get::<ErrorMessage>().cloned() {
        Some(ErrorMessage(message)) => message,
        // Refusals made by the framework before a handler runs (a malformed number in the
        // path, a method the route does not take, an unreadable body) are drawn in the frame
        // too, with their status kept.
        // (A page a handler drew itself with an error status, such as the refused sign-in,
        // is HTML already and is left as it is.)
        None if (res.status().is_client_error() || res.status().is_server_error())
            && !is_html(res.headers()) =>
        {
            framework_message(res.status())
        }
        None => return res,
    };
    let user = session
        .filter(|s| s.stage == plainsight_store::SessionStage::Full)
        .and_then(|s| {
            Some(crate::context::Signed {
                role: s.user.role.parse().ok()?,
                csrf: s.csrf_token.clone(),
                user: s.user,
                client: client.unwrap_or(crate::context::ClientAddr(None)),
            })
        });
    let status = res.status();
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let body = crate::views::error_page(status, &message, user.as_ref(), state.config.demo);
    Response::from_parts(parts, axum::body::Body::from(body.into_string()))
}

/// What the user is told about a refusal the framework made (its own text names Rust types).
fn framework_message(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "This address is not right: a part of it that should be a \
            number (a network, ad or case number) is not one. Check the link you followed."
            .to_string(),
        StatusCode::NOT_FOUND => "Not found.".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "This page does not take that kind of request; use the forms on its page.".to_string()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY => {
            "The form could not be read; reload the page and try again.".to_string()
        }
        s if s.is_server_error() => "Something went wrong on the server. Try again, and tell \
            your administrator if it keeps happening."
            .to_string(),
        s => format!(
            "{}.",
            s.canonical_reason().unwrap_or("The request was refused")
        ),
    }
}

fn is_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}
