//! Load shedding: at most `GENUINE_GATEWAY_CONCURRENCY_LIMIT` requests in flight; the next one is
//! answered 503 with `Retry-After` at once rather than queued behind slow upstreams. Probes are
//! exempt so that an overloaded gateway is not also declared dead.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tokio::sync::Semaphore;

use super::problem::Problem;
use crate::state::AppState;

/// Paths never shed.
const EXEMPT: [&str; 2] = ["/healthz", "/readyz"];

/// The in-flight budget shared by every request.
#[derive(Debug, Clone)]
pub struct Admission(Arc<Semaphore>);

impl Admission {
    #[must_use]
    pub fn new(limit: usize) -> Self {
        Self(Arc::new(Semaphore::new(limit.max(1))))
    }
}

/// Middleware admitting a request only while the budget lasts.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if EXEMPT.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match Arc::clone(&state.admission().0).try_acquire_owned() {
        Ok(_permit) => next.run(request).await,
        Err(_) => Problem::unavailable("the gateway is at capacity; try again shortly")
            .retry_after(Duration::from_secs(1))
            .into_response(),
    }
}
