//! The router: every route of the issue table, the OpenAPI document built from the same
//! registrations (so the two cannot drift), the portal, and the middleware stack.
//!
//! Stack, outermost first: trace span (W3C parent) → access audit → load shedding → request
//! timeout → handler.
//! In the handler, [`crate::auth::Caller`] authenticates, rate-limits, and checks role,
//! jurisdiction and scope before anything else runs.

mod audit_log;
mod cases;
mod health;
mod listings;
mod notices;
mod portal;
mod reports;
mod sellers;
mod statements;

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::problem::Problem;
use crate::http::{admission, audit, timeout, trace};
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// The API routes and the document describing them.
pub fn api() -> (axum::Router<AppState>, OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(notices::submit_notice))
        .routes(routes!(notices::get_notice))
        .routes(routes!(sellers::get_seller))
        .routes(routes!(sellers::list_violations))
        .routes(routes!(
            sellers::list_inspections,
            sellers::record_inspection
        ))
        .routes(routes!(listings::get_listing))
        .routes(routes!(statements::list_statements))
        .routes(routes!(reports::transparency_report))
        .routes(routes!(audit_log::head))
        .routes(routes!(audit_log::proof))
        .routes(routes!(audit_log::verify))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts()
}

/// The OpenAPI document alone (for tests and tooling).
#[must_use]
pub fn openapi() -> OpenApi {
    api().1
}

/// The whole application over `state`.
pub fn router(state: AppState) -> axum::Router {
    let (api, doc) = api();
    // Serialised once: the document is fixed for the life of the process.
    let doc: Arc<str> = doc.to_json().unwrap_or_default().into();
    api.route(
        "/openapi.json",
        get(move || {
            let doc = Arc::clone(&doc);
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    doc.to_string(),
                )
            }
        }),
    )
    .route("/", get(portal::page))
    .route("/portal.js", get(portal::script))
    .fallback(|| async {
        Problem::with_status(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route")
    })
    .method_not_allowed_fallback(|| async {
        Problem::with_status(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "this route does not take that method",
        )
    })
    .layer(from_fn_with_state(state.clone(), timeout::timeout))
    .layer(from_fn_with_state(state.clone(), admission::admit))
    .layer(from_fn_with_state(state.clone(), audit::audit))
    .layer(from_fn(trace::trace))
    .with_state(state)
}
