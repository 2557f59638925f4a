//! `GET /healthz` (the process answers) and `GET /readyz` (every upstream is SERVING).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::Problem;
use crate::state::AppState;
use crate::upstream::health::check_all;

/// Liveness or readiness.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (liveness) or `ready`.
    pub status: String,
    /// Each upstream's gRPC health status (readiness only).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub upstreams: BTreeMap<String, String>,
}

/// The process answers.
#[utoipa::path(
    get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Health))
)]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        upstreams: BTreeMap::new(),
    })
}

/// Every upstream answers the gRPC health check with SERVING.
#[utoipa::path(
    get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "An upstream is not serving", body = Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u64))),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, Problem> {
    let statuses = check_all(state.upstreams()).await;
    let down: Vec<String> = statuses
        .iter()
        .filter(|(_, status)| status != "SERVING")
        .map(|(name, status)| format!("{name}: {status}"))
        .collect();
    if down.is_empty() {
        Ok(Json(Health {
            status: "ready".to_owned(),
            upstreams: statuses
                .into_iter()
                .map(|(name, status)| (name.to_owned(), status))
                .collect(),
        }))
    } else {
        Err(Problem::unavailable(format!(
            "not ready: {}",
            down.join(", ")
        )))
    }
}
