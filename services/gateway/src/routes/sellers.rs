//! `GET /v1/sellers/{id}` and its history; `POST /v1/sellers/{id}/inspections`. Trader data of
//! the caller's jurisdiction only: reputation refuses other regulators, and the gateway checks
//! the trader's country itself before reading or recording anything.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use genuine_contracts::genuine::reputation::v1 as pb;
use tonic::metadata::AsciiMetadataValue;

use crate::auth::{Caller, needs};
use crate::dto::common::{PageQuery, finish, timestamp};
use crate::dto::sellers::{
    Inspection, InspectionList, InspectionRecorded, RecordInspection, Seller, Standing, Violation,
    ViolationList,
};
use crate::http::body::{ApiJson, ApiPath, ApiQuery};
use crate::http::problem::Problem;
use crate::openapi::{ReadErrors, WriteErrors};
use crate::state::AppState;
use crate::upstream::{REPUTATION, call};

/// Reads the seller as the caller and checks it is in the caller's jurisdiction.
async fn seller_in_jurisdiction<S>(
    state: &AppState,
    caller: &Caller<S>,
    seller_id: &str,
) -> Result<Seller, Problem> {
    let seller = fetch(state, &caller.authorization, seller_id).await?;
    match Seller::from_proto(&seller) {
        Some(s) if caller.owns(&s.traceability.address.country_code) => Ok(s),
        _ => Err(Problem::forbidden(format!(
            "seller {seller_id:?} is not registered in {}",
            caller.jurisdiction
        ))),
    }
}

/// `GetSeller` acting as the regulator.
pub(super) async fn fetch(
    state: &AppState,
    authorization: &AsciiMetadataValue,
    seller_id: &str,
) -> Result<pb::Seller, Problem> {
    let up = state.upstreams();
    let request = pb::GetSellerRequest {
        seller_id: seller_id.to_owned(),
    };
    call(
        up,
        REPUTATION,
        &up.reputation,
        authorization,
        request,
        |mut c, r| async move { c.get_seller(r).await },
    )
    .await?
    .seller
    .ok_or_else(|| Problem::not_found(format!("seller {seller_id:?} not found")))
}

/// Trader traceability data (DSA Art. 30) and standing.
#[utoipa::path(
    get, path = "/v1/sellers/{id}", tag = "sellers",
    params(("id" = String, Path, description = "The seller id")),
    security(("bearer" = ["traders:read"])),
    responses(
        (status = 200, description = "The trader", body = Seller, links(
            ("ListViolations" = (operation_id = "list_violations", parameters(("id" = "$response.body#/sellerId")))),
            ("ListInspections" = (operation_id = "list_inspections", parameters(("id" = "$response.body#/sellerId")))),
            ("RecordInspection" = (operation_id = "record_inspection", parameters(("id" = "$response.body#/sellerId")))),
        )),
        ReadErrors
    )
)]
pub async fn get_seller(
    State(state): State<AppState>,
    caller: Caller<needs::TradersRead>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Seller>, Problem> {
    seller_in_jurisdiction(&state, &caller, &id).await.map(Json)
}

/// The seller's violations, newest first.
#[utoipa::path(
    get, path = "/v1/sellers/{id}/violations", tag = "sellers",
    params(("id" = String, Path, description = "The seller id"), PageQuery),
    security(("bearer" = ["traders:read"])),
    responses((status = 200, description = "A page of violations", body = ViolationList), ReadErrors)
)]
pub async fn list_violations(
    State(state): State<AppState>,
    caller: Caller<needs::TradersRead>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<ViolationList>, Problem> {
    let mut errors = Vec::new();
    let page_size = page.size(&mut errors);
    finish(errors)?;
    seller_in_jurisdiction(&state, &caller, &id).await?;
    let up = state.upstreams();
    let request = pb::ListViolationsRequest {
        seller_id: id,
        page_size,
        page_token: page.token(),
    };
    let response = call(
        up,
        REPUTATION,
        &up.reputation,
        &caller.authorization,
        request,
        |mut c, r| async move { c.list_violations(r).await },
    )
    .await?;
    Ok(Json(ViolationList {
        violations: response
            .violations
            .iter()
            .map(Violation::from_proto)
            .collect(),
        next_page_token: response.next_page_token,
    }))
}

/// The seller's quality inspections, newest first.
#[utoipa::path(
    get, path = "/v1/sellers/{id}/inspections", tag = "sellers",
    params(("id" = String, Path, description = "The seller id"), PageQuery),
    security(("bearer" = ["traders:read"])),
    responses((status = 200, description = "A page of inspections", body = InspectionList), ReadErrors)
)]
pub async fn list_inspections(
    State(state): State<AppState>,
    caller: Caller<needs::TradersRead>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<InspectionList>, Problem> {
    let mut errors = Vec::new();
    let page_size = page.size(&mut errors);
    finish(errors)?;
    seller_in_jurisdiction(&state, &caller, &id).await?;
    let up = state.upstreams();
    let request = pb::ListInspectionsRequest {
        seller_id: id,
        page_size,
        page_token: page.token(),
    };
    let response = call(
        up,
        REPUTATION,
        &up.reputation,
        &caller.authorization,
        request,
        |mut c, r| async move { c.list_inspections(r).await },
    )
    .await?;
    Ok(Json(InspectionList {
        inspections: response
            .inspections
            .iter()
            .map(Inspection::from_proto)
            .collect(),
        next_page_token: response.next_page_token,
    }))
}

/// Records a quality-inspection result for a seller of the caller's jurisdiction.
#[utoipa::path(
    post, path = "/v1/sellers/{id}/inspections", tag = "sellers",
    params(("id" = String, Path, description = "The seller id")),
    request_body = RecordInspection,
    security(("bearer" = ["inspections:write"])),
    responses((status = 201, description = "The recorded inspection and the standing after it", body = InspectionRecorded), WriteErrors)
)]
pub async fn record_inspection(
    State(state): State<AppState>,
    caller: Caller<needs::InspectionsWrite>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RecordInspection>,
) -> Result<(StatusCode, Json<InspectionRecorded>), Problem> {
    // Checked here too, so a refusal never depends on one service alone.
    seller_in_jurisdiction(&state, &caller, &id).await?;
    let request = pb::RecordInspectionRequest {
        request_id: body
            .request_id
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        seller_id: id,
        agency: caller.agency().to_owned(),
        product: body.product,
        batch: body.batch,
        result: body.result.0,
        inspected_time: Some(timestamp(body.inspected_time)),
        report_ref: body.report_ref,
    };
    let up = state.upstreams();
    let response = call(
        up,
        REPUTATION,
        &up.reputation,
        &caller.authorization,
        request,
        |mut c, r| async move { c.record_inspection(r).await },
    )
    .await?;
    let inspection = response.inspection.ok_or_else(|| {
        Problem::unavailable("the reputation service answered without the inspection")
    })?;
    Ok((
        StatusCode::CREATED,
        Json(InspectionRecorded {
            inspection: Inspection::from_proto(&inspection),
            standing: response.standing.as_ref().map(Standing::from_proto),
        }),
    ))
}
