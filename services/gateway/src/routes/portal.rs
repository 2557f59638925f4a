//! The regulator portal: one static page and its script, embedded in the binary.

use axum::http::header;
use axum::response::{Html, IntoResponse};

/// `GET /`.
pub async fn page() -> Html<&'static str> {
    Html(include_str!("../portal/index.html"))
}

/// `GET /portal.js`.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../portal/portal.js"),
    )
}
