//! `GET /v1/cases`, `GET /v1/cases/{id}`: cases in the caller's jurisdiction.

use axum::Json;
use axum::extract::State;
use genuine_contracts::genuine::enforcement::v1 as pb;

use crate::auth::{Caller, needs};
use crate::dto::cases::{Case, CaseList, ListCasesQuery};
use crate::dto::common::{finish, page_size, parse_enum};
use crate::dto::enums::{CaseStatus, NoticeSource};
use crate::http::body::{ApiPath, ApiQuery};
use crate::http::problem::Problem;
use crate::openapi::ReadErrors;
use crate::state::AppState;
use crate::upstream::{ENFORCEMENT, call};

/// Cases in the caller's jurisdiction, by priority then age.
#[utoipa::path(
    get, path = "/v1/cases", tag = "cases",
    params(ListCasesQuery),
    security(("bearer" = ["cases:read"])),
    responses(
        (status = 200, description = "A page of cases", body = CaseList, links(
            ("GetCase" = (operation_id = "get_case", parameters(("id" = "$response.body#/cases/0/caseId")))),
            ("GetListing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/cases/0/listingId")))),
            ("GetSeller" = (operation_id = "get_seller", parameters(("id" = "$response.body#/cases/0/sellerId")))),
        )),
        ReadErrors
    )
)]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller<needs::CasesRead>,
    ApiQuery(query): ApiQuery<ListCasesQuery>,
) -> Result<Json<CaseList>, Problem> {
    let mut errors = Vec::new();
    let status = parse_enum(
        query.status.as_deref(),
        "status",
        CaseStatus::number,
        CaseStatus::names,
        &mut errors,
    );
    let source = parse_enum(
        query.source.as_deref(),
        "source",
        NoticeSource::number,
        NoticeSource::names,
        &mut errors,
    );
    let page_size = page_size(query.page_size, &mut errors);
    finish(errors)?;
    let request = pb::ListCasesRequest {
        status,
        source,
        jurisdiction: caller.jurisdiction.clone(),
        seller_id: query.seller_id.unwrap_or_default(),
        page_size,
        page_token: query.page_token.unwrap_or_default(),
    };
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.list_cases(r).await },
    )
    .await?;
    Ok(Json(CaseList {
        // The service filters by jurisdiction too; this keeps a bug there from leaking cases.
        cases: response
            .cases
            .iter()
            .filter(|c| caller.owns(&c.jurisdiction))
            .map(Case::from_proto)
            .collect(),
        next_page_token: response.next_page_token,
    }))
}

/// One case with its timeline and statement-of-reasons ids.
#[utoipa::path(
    get, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case id")),
    security(("bearer" = ["cases:read"])),
    responses(
        (status = 200, description = "The case", body = Case, links(
            ("GetListing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/listingId")))),
            ("GetSeller" = (operation_id = "get_seller", parameters(("id" = "$response.body#/sellerId")))),
        )),
        ReadErrors
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller<needs::CasesRead>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Case>, Problem> {
    let up = state.upstreams();
    let request = pb::GetCaseRequest {
        case_id: id.clone(),
    };
    // Another jurisdiction's case: its existence is not the caller's business, whether
    // enforcement refuses it (403) or answers it.
    let not_found = || Problem::not_found(format!("case {id:?} not found"));
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.get_case(r).await },
    )
    .await
    .map_err(|p| if p.status == 403 { not_found() } else { p })?;
    match response.case {
        Some(case) if caller.owns(&case.jurisdiction) => Ok(Json(Case::from_proto(&case))),
        _ => Err(not_found()),
    }
}
