//! `GET /v1/statements`: statements of reasons in the DSA Transparency Database form.

use axum::Json;
use axum::extract::State;
use genuine_contracts::genuine::enforcement::v1 as pb;

use crate::auth::{Caller, needs};
use crate::dto::common::{finish, page_size, parse_time, timestamp};
use crate::dto::statements::{ListStatementsQuery, Statement, StatementList};
use crate::http::body::ApiQuery;
use crate::http::problem::Problem;
use crate::openapi::ReadErrors;
use crate::state::AppState;
use crate::upstream::{ENFORCEMENT, call};

/// Statements of reasons in creation order, each ready for the Transparency Database API.
#[utoipa::path(
    get, path = "/v1/statements", tag = "statements",
    params(ListStatementsQuery),
    security(("bearer" = ["statements:read"])),
    responses((status = 200, description = "A page of statements", body = StatementList), ReadErrors)
)]
pub async fn list_statements(
    State(state): State<AppState>,
    caller: Caller<needs::StatementsRead>,
    ApiQuery(query): ApiQuery<ListStatementsQuery>,
) -> Result<Json<StatementList>, Problem> {
    let mut errors = Vec::new();
    let since = parse_time(query.since.as_deref(), "since", &mut errors);
    let page_size = page_size(query.page_size, &mut errors);
    finish(errors)?;
    let request = pb::ListStatementsOfReasonsRequest {
        since_time: since.map(timestamp),
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
        |mut c, r| async move { c.list_statements_of_reasons(r).await },
    )
    .await?;
    Ok(Json(StatementList {
        statements: response
            .statements_of_reasons
            .iter()
            .map(Statement::from_proto)
            .collect(),
        next_page_token: response.next_page_token,
    }))
}
