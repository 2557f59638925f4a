//! 503 with Retry-After whenever the upstream a route needs is down.

use serde_json::json;

use crate::support::{Options, Suite, Token};

#[tokio::test]
async fn every_route_answers_503_when_its_upstream_is_down() {
    let suite = Suite::start_with(Options {
        down: vec!["listing", "reputation", "enforcement"],
        ..Options::default()
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let gets = [
        "/v1/cases",
        "/v1/cases/c-1",
        "/v1/notices/n-1",
        "/v1/sellers/s-1",
        "/v1/sellers/s-1/violations",
        "/v1/sellers/s-1/inspections",
        "/v1/listings/l-1",
        "/v1/statements",
        "/v1/reports/transparency",
        "/v1/audit/head",
        "/v1/audit/proof/0",
    ];
    for path in gets {
        let answer = suite.get(path, Some(&token)).await;
        let problem = answer.problem(503);
        assert_eq!(problem["code"], "UNAVAILABLE", "{path}");
        assert!(
            !problem["detail"]
                .as_str()
                .expect("detail")
                .contains("127.0.0.1"),
            "{path}: {problem}"
        );
        assert!(answer.headers.contains_key("retry-after"), "{path}");
    }
    let notice = json!({
        "ground": "NOTICE_GROUND_COUNTERFEIT",
        "listingIds": ["l-1"],
        "explanation": "Seized goods matched this listing.",
        "goodFaithDeclaration": true
    });
    suite
        .post("/v1/notices", Some(&token), &notice)
        .await
        .problem(503);
    let inspection = json!({
        "product": "x", "result": "INSPECTION_RESULT_FAIL", "inspectedTime": "2026-01-15T10:00:00Z"
    });
    suite
        .post("/v1/sellers/s-1/inspections", Some(&token), &inspection)
        .await
        .problem(503);
    suite
        .post("/v1/audit/verify", Some(&token), &json!({}))
        .await
        .problem(503);

    let answer = suite.get("/readyz", None).await;
    let problem = answer.problem(503);
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("listing: UNREACHABLE") && detail.contains("reputation: UNREACHABLE"),
        "{detail}"
    );
    suite.get("/healthz", None).await.ok(200);
    suite.stop().await;
}
