//! `POST /v1/notices`, `GET /v1/notices/{id}`: notices the regulator files and reads back.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use genuine_contracts::genuine::enforcement::v1 as pb;

use crate::auth::{Caller, needs};
use crate::dto::notices::{Notice, SubmitNotice};
use crate::http::body::{ApiJson, ApiPath};
use crate::http::problem::Problem;
use crate::openapi::{ReadErrors, WriteErrors};
use crate::state::AppState;
use crate::upstream::{ENFORCEMENT, call};

/// Files a notice as the regulator (source REGULATOR, agency and jurisdiction from the token).
#[utoipa::path(
    post, path = "/v1/notices", tag = "notices",
    request_body = SubmitNotice,
    security(("bearer" = ["notices:write"])),
    responses(
        (status = 201, description = "The notice and its receipt", body = Notice,
            headers(("Location" = String, description = "The notice's URL")),
            links(
                ("GetNotice" = (operation_id = "get_notice", parameters(("id" = "$response.body#/noticeId")))),
                ("GetCase" = (operation_id = "get_case", parameters(("id" = "$response.body#/caseIds/0")))),
            )),
        WriteErrors
    )
)]
pub async fn submit_notice(
    State(state): State<AppState>,
    caller: Caller<needs::NoticesWrite>,
    ApiJson(body): ApiJson<SubmitNotice>,
) -> Result<Response, Problem> {
    let agency = caller.agency().to_owned();
    let request = pb::SubmitNoticeRequest {
        request_id: body
            .request_id
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        source: pb::NoticeSource::Regulator as i32,
        notifier: Some(pb::Notifier {
            notifier_id: caller.principal.subject.clone(),
            name: agency.clone(),
            email: body.contact_email.unwrap_or_default(),
            organization: agency,
        }),
        ground: body.ground.0,
        listing_ids: body.listing_ids,
        brand_id: body.brand_id.filter(|b| !b.is_empty()),
        explanation: body.explanation,
        evidence_urls: body.evidence_urls,
        good_faith_declaration: body.good_faith_declaration,
        jurisdiction: caller.jurisdiction.clone(),
        automated_detection: None,
    };
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.submit_notice(r).await },
    )
    .await?;
    let notice = response.notice.ok_or_else(|| {
        Problem::unavailable("the enforcement service answered without the notice")
    })?;
    let mut reply = (StatusCode::CREATED, Json(Notice::from_proto(&notice))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/notices/{}", notice.notice_id)) {
        reply.headers_mut().insert(header::LOCATION, location);
    }
    Ok(reply)
}

/// A notice the caller filed.
#[utoipa::path(
    get, path = "/v1/notices/{id}", tag = "notices",
    params(("id" = String, Path, description = "The notice id")),
    security(("bearer" = ["notices:read"])),
    responses((status = 200, description = "The notice", body = Notice), ReadErrors)
)]
pub async fn get_notice(
    State(state): State<AppState>,
    caller: Caller<needs::NoticesRead>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Notice>, Problem> {
    let up = state.upstreams();
    let request = pb::GetNoticeRequest {
        notice_id: id.clone(),
    };
    let not_found = || Problem::not_found(format!("notice {id:?} not found among yours"));
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.get_notice(r).await },
    )
    .await
    // Another regulator's notice: whether it exists is not the caller's business.
    .map_err(|p| if p.status == 403 { not_found() } else { p })?;
    let subject = &caller.principal.subject;
    let filed_by_caller = |n: &pb::Notice| {
        n.submitted_by
            .as_ref()
            .is_some_and(|a| &a.subject == subject)
            || n.notifier
                .as_ref()
                .is_some_and(|p| &p.notifier_id == subject)
    };
    match response.notice {
        Some(notice) if filed_by_caller(&notice) => Ok(Json(Notice::from_proto(&notice))),
        _ => Err(not_found()),
    }
}
