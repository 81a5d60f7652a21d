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
            WebError::Store(StoreError::NotFound { .. }) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
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
        let body = crate::views::error_page(status, &self.public_message());
        (status, body).into_response()
    }
}
