//! The same guarantees on every `/v1` route: 401 without a token, 403 without its scope, 429
//! past its rate, 503 with its upstream down — checked route by route from one table.

use http::Method;
use serde_json::json;

use crate::support::{Options, Suite, Token};

/// Every `/v1` route: method, path, the scope it needs, and a valid body for writes.
fn routes() -> Vec<(
    Method,
    &'static str,
    &'static str,
    Option<serde_json::Value>,
)> {
    let notice = json!({
        "ground": "NOTICE_GROUND_COUNTERFEIT",
        "listingIds": ["l-1"],
        "explanation": "Seized goods matched this listing.",
        "goodFaithDeclaration": true
    });
    let inspection = json!({
        "product": "x", "result": "INSPECTION_RESULT_FAIL", "inspectedTime": "2026-01-15T10:00:00Z"
    });
    vec![
        (Method::GET, "/v1/cases", "cases:read", None),
        (Method::GET, "/v1/cases/c-1", "cases:read", None),
        (Method::POST, "/v1/notices", "notices:write", Some(notice)),
        (Method::GET, "/v1/notices/n-1", "notices:read", None),
        (Method::GET, "/v1/sellers/s-1", "traders:read", None),
        (
            Method::GET,
            "/v1/sellers/s-1/violations",
            "traders:read",
            None,
        ),
        (
            Method::GET,
            "/v1/sellers/s-1/inspections",
            "traders:read",
            None,
        ),
        (
            Method::POST,
            "/v1/sellers/s-1/inspections",
            "inspections:write",
            Some(inspection),
        ),
        (Method::GET, "/v1/listings/l-1", "cases:read", None),
        (Method::GET, "/v1/statements", "statements:read", None),
        (
            Method::GET,
            "/v1/reports/transparency",
            "reports:read",
            None,
        ),
        (Method::GET, "/v1/audit/head", "audit:read", None),
        (Method::GET, "/v1/audit/proof/0", "audit:read", None),
        (
            Method::POST,
            "/v1/audit/verify",
            "audit:read",
            Some(json!({})),
        ),
    ]
}

async fn call(
    suite: &Suite,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> crate::support::Answer {
    let bytes = body.map(|b| serde_json::to_vec(b).expect("json"));
    let headers: &[(&str, &str)] = if body.is_some() {
        &[("content-type", "application/json")]
    } else {
        &[]
    };
    suite
        .send(method.clone(), path, token, bytes, headers)
        .await
}

#[tokio::test]
async fn every_route_authenticates_authorises_limits_and_reports_its_upstream() {
    let suite = Suite::start_with(Options {
        settings: vec![("GENUINE_GATEWAY_RATE_LIMIT", "1/1m".to_owned())],
        down: vec!["listing", "reputation", "enforcement"],
    })
    .await;
    for (i, (method, path, scope, body)) in routes().into_iter().enumerate() {
        let route = format!("{method} {path}");
        call(&suite, &method, path, None, body.as_ref())
            .await
            .problem(401);

        // A regulator of its own for each route, so rate budgets do not interfere.
        let subject = format!("reg-{i}");
        let others: Vec<&'static str> = crate::support::ALL_SCOPES
            .into_iter()
            .filter(|s| *s != scope)
            .collect();
        let unscoped = suite.token(&Token::regulator(subject.clone(), "IT").with_scopes(&others));
        let problem = call(&suite, &method, path, Some(&unscoped), body.as_ref())
            .await
            .problem(403);
        assert!(
            problem["detail"].as_str().expect("detail").contains(scope),
            "{route}: {problem}"
        );

        let scoped = suite.token(&Token::regulator(subject, "IT").with_scopes(&[scope]));
        let problem = call(&suite, &method, path, Some(&scoped), body.as_ref())
            .await
            .problem(429);
        assert_eq!(
            problem["code"], "RESOURCE_EXHAUSTED",
            "{route}: the 403 spent the budget"
        );

        let token =
            suite.token(&Token::regulator(format!("reg-fresh-{i}"), "IT").with_scopes(&[scope]));
        let answer = call(&suite, &method, path, Some(&token), body.as_ref()).await;
        answer.problem(503);
        assert!(answer.headers.contains_key("retry-after"), "{route}");
    }
    suite.stop().await;
}
