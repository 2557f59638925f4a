//! `GET /v1/reports/transparency`: the transparency report of the caller's jurisdiction.

use axum::Json;
use axum::extract::State;
use chrono::{TimeDelta, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;

use crate::auth::{Caller, needs};
use crate::dto::common::{finish, parse_time, timestamp};
use crate::dto::reports::{Report, ReportQuery};
use crate::http::body::ApiQuery;
use crate::http::problem::{FieldError, Problem};
use crate::openapi::ReadErrors;
use crate::state::AppState;
use crate::upstream::{ENFORCEMENT, call};

/// The period when `from` is left out.
const DEFAULT_PERIOD_DAYS: i64 = 30;

/// Notices by source and ground, actions, time to action, counter-notices, appeals, reversals.
#[utoipa::path(
    get, path = "/v1/reports/transparency", tag = "reports",
    params(ReportQuery),
    security(("bearer" = ["reports:read"])),
    responses((status = 200, description = "The report", body = Report), ReadErrors)
)]
pub async fn transparency_report(
    State(state): State<AppState>,
    caller: Caller<needs::ReportsRead>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, Problem> {
    let mut errors = Vec::new();
    let from = parse_time(query.from.as_deref(), "from", &mut errors);
    let to = parse_time(query.to.as_deref(), "to", &mut errors);
    finish(errors)?;
    let to = to.unwrap_or_else(Utc::now);
    let from = from.unwrap_or(to - TimeDelta::days(DEFAULT_PERIOD_DAYS));
    if from >= to {
        return Err(Problem::invalid(vec![FieldError {
            field: "from".to_owned(),
            detail: "must be before `to`".to_owned(),
        }]));
    }
    let request = pb::GetTransparencyReportRequest {
        start_time: Some(timestamp(from)),
        end_time: Some(timestamp(to)),
        jurisdiction: caller.jurisdiction.clone(),
    };
    let up = state.upstreams();
    let response = call(
        up,
        ENFORCEMENT,
        &up.enforcement,
        &caller.authorization,
        request,
        |mut c, r| async move { c.get_transparency_report(r).await },
    )
    .await?;
    let report = response
        .report
        .ok_or_else(|| Problem::unavailable("the enforcement service answered without a report"))?;
    Ok(Json(Report::from_proto(&report)))
}
