//! Static files compiled into the binary: the machines this runs on often have no internet,
//! so nothing is fetched from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::WebError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../static/style.css"),
    ),
    (
        "graph.css",
        "text/css; charset=utf-8",
        include_str!("../static/graph.css"),
    ),
    (
        "package.css",
        "text/css; charset=utf-8",
        crate::routes::package::PRINT_CSS,
    ),
    (
        "graph.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/graph.js"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let (_, mime, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(WebError::NotFound)?;
    let mut res = (*body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    // Assets hold no personal data and change only with the binary.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(res)
}
