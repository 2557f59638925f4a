//! The whole-request timeout: a request still running after `GENUINE_GATEWAY_REQUEST_TIMEOUT`
//! is answered 504 with problem details (its upstream calls are dropped with it).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use genuine_runtime::errors::ErrorCode;

use super::problem::Problem;
use crate::state::AppState;

/// Middleware enforcing the request timeout.
pub async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.limits().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            ErrorCode::DeadlineExceeded,
            format!(
                "the request took longer than {}",
                humantime::format_duration(limit)
            ),
        )
        .into_response(),
    }
}
