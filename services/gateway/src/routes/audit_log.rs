//! `GET /v1/audit/head`, `GET /v1/audit/proof/{index}`, `POST /v1/audit/verify`: the
//! enforcement record's tamper-evident log, for regulators to check it was not rewritten.

use axum::Json;
use axum::extract::State;
use genuine_contracts::genuine::enforcement::v1 as pb;

use crate::auth::{Caller, needs};
use crate::dto::audit_log::{Head, Proof, ProofQuery, Verification, VerifyRequest};
use crate::http::body::{ApiPath, ApiQuery, OptionalJson};
use crate::http::problem::Problem;
use crate::openapi::{ReadErrors, WriteErrors};
use crate::state::AppState;
use crate::upstream::{ENFORCEMENT, call};

/// The current signed tree head.
#[utoipa::path(
    get, path = "/v1/audit/head", tag = "audit",
    security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "The signed head", body = Head), ReadErrors)
)]
pub async fn head(
    State(state): State<AppState>,
    caller: Caller<needs::AuditRead>,
) -> Result<Json<Head>, Problem> {
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        pb::GetAuditLogHeadRequest {},
        |mut c, r| async move { c.get_audit_log_head(r).await },
    )
    .await?;
    let head = response
        .head
        .ok_or_else(|| Problem::unavailable("the enforcement service answered without a head"))?;
    Ok(Json(Head::from_proto(&head)))
}

/// One entry with its inclusion proof (and a consistency proof on request).
#[utoipa::path(
    get, path = "/v1/audit/proof/{index}", tag = "audit",
    params(("index" = u64, Path, description = "Zero-based entry index", minimum = 0), ProofQuery),
    security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "The entry and its proofs", body = Proof), ReadErrors)
)]
pub async fn proof(
    State(state): State<AppState>,
    caller: Caller<needs::AuditRead>,
    ApiPath(index): ApiPath<u64>,
    ApiQuery(query): ApiQuery<ProofQuery>,
) -> Result<Json<Proof>, Problem> {
    check_int64("index", index)?;
    check_int64("tree_size", query.tree_size.unwrap_or(0))?;
    check_int64("consistency_from", query.consistency_from.unwrap_or(0))?;
    let request = pb::GetAuditProofRequest {
        entry_index: index,
        tree_size: query.tree_size.unwrap_or(0),
        consistency_from_tree_size: query.consistency_from.unwrap_or(0),
    };
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.get_audit_proof(r).await },
    )
    .await?;
    Ok(Json(Proof::from_proto(&response)))
}

/// Recomputes the log (or a range of it) and reports the first bad entry, if any.
#[utoipa::path(
    post, path = "/v1/audit/verify", tag = "audit",
    request_body(content = Option<VerifyRequest>, description = "Range to check; the whole log when left out"),
    security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "The verdict", body = Verification), WriteErrors)
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller<needs::AuditRead>,
    OptionalJson(body): OptionalJson<VerifyRequest>,
) -> Result<Json<Verification>, Problem> {
    for (field, value) in [("fromIndex", body.from_index), ("toIndex", body.to_index)] {
        check_int64(field, value)?;
    }
    if body.to_index != 0 && body.to_index <= body.from_index {
        return Err(Problem::invalid_field(
            "toIndex",
            "must be 0 (the end) or above `fromIndex`",
        ));
    }
    let request = pb::VerifyAuditLogRequest {
        from_index: body.from_index,
        to_index: body.to_index,
    };
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.verify_audit_log(r).await },
    )
    .await?;
    Ok(Json(Verification::from_proto(&response)))
}

/// Indexes are documented as int64 (what JSON tooling handles); larger values are refused
/// rather than passed on.
fn check_int64(field: &str, value: u64) -> Result<(), Problem> {
    if i64::try_from(value).is_ok() {
        Ok(())
    } else {
        Err(Problem::invalid_field(
            field,
            "must be at most 9223372036854775807",
        ))
    }
}
