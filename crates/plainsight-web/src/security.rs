//! Browser-facing protections: security headers on every response, a cross-site check on every
//! state-changing request (Fetch Metadata with an `Origin` fallback), the anti-forgery token
//! every form carries, and the session cookie's attributes.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use plainsight_access::constant_time_eq;
use serde::de::DeserializeOwned;

use crate::context::MaybeSession;
use crate::{AppState, WebError};

/// Content Security Policy: nothing from elsewhere, no inline script, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// Add the security headers to every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    // Pages hold personal data: no copies in shared caches or the browser's back button.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// Refuse state-changing requests that a browser says came from another site. Browsers send
/// `Sec-Fetch-Site`; older ones send `Origin`, which must then name this host. Requests with
/// neither (scripts, tests) still need the form's anti-forgery token.
pub async fn cross_site_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if !same_site(req.headers()) {
        return WebError::Csrf.into_response();
    }
    next.run(req).await
}

fn same_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return !host.is_empty() && origin_host.eq_ignore_ascii_case(host);
    }
    true
}

/// The session cookie's name: under TLS the `__Host-` prefix pins it to this host and path.
pub fn session_cookie_name(tls: bool) -> &'static str {
    if tls {
        "__Host-ps_session"
    } else {
        "ps_session"
    }
}

/// The pre-log-on cookie holding the log-on form's anti-forgery token.
pub fn prelogin_cookie_name(tls: bool) -> &'static str {
    if tls {
        "__Host-ps_prelogin"
    } else {
        "ps_prelogin"
    }
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, path `/`, `Secure` under TLS. A
/// `max_age` of zero deletes the cookie.
pub fn cookie(name: &str, value: &str, tls: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if tls {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of a cookie in the request, if present.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The body of a request, refused with 413 past [`crate::limits::BODY_LIMIT_BYTES`] (the
/// router's body limit).
async fn read_body(req: Request, state: &AppState) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::BadRequest("the form could not be read".into())
        }
    })
}

/// Parse URL-encoded fields into `T` after checking every field against its limit.
fn parse_bounded<T: DeserializeOwned>(encoded: &[u8]) -> Result<T, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded)
        .map_err(|e| WebError::BadRequest(format!("the form could not be read: {e}")))?;
    crate::limits::check_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    serde_urlencoded::from_bytes(encoded)
        .map_err(|e| WebError::BadRequest(format!("the form is incomplete: {e}")))
}

/// A form posted by a signed-in (or half-signed-in) user, accepted only when its `csrf` field
/// matches the session's token, and when every field is within its limit.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<MaybeSession>()
            .and_then(|s| s.0.as_ref())
            .map(|s| s.csrf_token.clone())
            .ok_or(WebError::SignInRequired)?;
        let bytes = read_body(req, state).await?;
        let token: TokenOnly = serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::Csrf)?;
        if token.csrf.is_empty() || !constant_time_eq(&token.csrf, &expected) {
            return Err(WebError::Csrf);
        }
        Ok(CsrfForm(parse_bounded(&bytes)?))
    }
}

/// A form posted without a session (the log-on form, which checks its own token), with every
/// field within its limit.
pub struct BoundedForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for BoundedForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        Ok(BoundedForm(parse_bounded(&bytes)?))
    }
}

/// The query string, with every field within its limit and numbers in range (a bad one is a
/// 400 with the page's usual frame, not a bare refusal).
pub struct BoundedQuery<T>(pub T);

impl<T: DeserializeOwned + Send> axum::extract::FromRequestParts<AppState> for BoundedQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(BoundedQuery(parse_bounded(query.as_bytes())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_posts_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_site(&h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_site(&h));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_site(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_site(&h));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("x_ps_session=bad; ps_session=good"),
        );
        assert_eq!(read_cookie(&h, "ps_session").as_deref(), Some("good"));
    }
}
