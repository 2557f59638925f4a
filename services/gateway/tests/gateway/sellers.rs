//! Trader data through the gateway, against the real reputation service.

use serde_json::json;

use crate::support::{Suite, Token};

fn inspection(result: &str) -> serde_json::Value {
    json!({
        "requestId": "insp-1",
        "product": "Leather handbag, model LP-22",
        "batch": "B-7",
        "result": result,
        "inspectedTime": "2026-01-15T10:00:00Z",
        "reportRef": "IT-MS-2026-0042"
    })
}

#[tokio::test]
async fn a_regulator_reads_traders_of_its_jurisdiction_only() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    suite.register_seller("s-de", "DE").await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));

    let seller = suite.get("/v1/sellers/s-it", Some(&it)).await.ok(200);
    assert_eq!(seller["sellerId"], "s-it");
    assert_eq!(seller["traceability"]["address"]["countryCode"], "IT");
    assert_eq!(
        seller["traceability"]["legalName"],
        "Rossi Pelletteria S.r.l."
    );
    assert_eq!(seller["verificationStatus"], "VERIFICATION_STATUS_PENDING");
    assert!(seller["standing"]["score"].is_i64(), "{seller}");
    assert!(seller["createTime"].as_str().expect("time").contains('T'));

    for path in [
        "/v1/sellers/s-de",
        "/v1/sellers/s-de/violations",
        "/v1/sellers/s-de/inspections",
    ] {
        let problem = suite.get(path, Some(&it)).await.problem(403);
        assert_eq!(problem["code"], "PERMISSION_DENIED", "{path}");
    }
    let de = suite.token(&Token::regulator("reg-de", "de"));
    suite.get("/v1/sellers/s-de", Some(&de)).await.ok(200);

    suite
        .get("/v1/sellers/nobody", Some(&it))
        .await
        .problem(404);
    suite.stop().await;
}

#[tokio::test]
async fn an_inspection_is_recorded_for_own_jurisdiction_and_shows_in_the_history() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    suite.register_seller("s-de", "DE").await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));

    let recorded = suite
        .post(
            "/v1/sellers/s-it/inspections",
            Some(&it),
            &inspection("INSPECTION_RESULT_FAIL"),
        )
        .await
        .ok(201);
    assert_eq!(recorded["inspection"]["result"], "INSPECTION_RESULT_FAIL");
    assert_eq!(
        recorded["inspection"]["agency"], "Agency of reg-it",
        "agency from the token"
    );
    assert_eq!(
        recorded["inspection"]["recordedBy"]["subject"], "reg-it",
        "acted as the regulator"
    );
    assert!(recorded["standing"]["score"].as_i64().expect("score") < 100);

    // Same request id: the same inspection, not a second one.
    suite
        .post(
            "/v1/sellers/s-it/inspections",
            Some(&it),
            &inspection("INSPECTION_RESULT_FAIL"),
        )
        .await
        .ok(201);
    let history = suite
        .get("/v1/sellers/s-it/inspections", Some(&it))
        .await
        .ok(200);
    assert_eq!(
        history["inspections"].as_array().expect("list").len(),
        1,
        "{history}"
    );
    assert_eq!(history["nextPageToken"], "");
    let violations = suite
        .get("/v1/sellers/s-it/violations?page_size=10", Some(&it))
        .await
        .ok(200);
    assert_eq!(violations["violations"], json!([]));

    // Another jurisdiction's trader: refused, and nothing is recorded.
    suite
        .post(
            "/v1/sellers/s-de/inspections",
            Some(&it),
            &inspection("INSPECTION_RESULT_FAIL"),
        )
        .await
        .problem(403);
    let de = suite.token(&Token::regulator("reg-de", "DE"));
    let history = suite
        .get("/v1/sellers/s-de/inspections", Some(&de))
        .await
        .ok(200);
    assert_eq!(history["inspections"], json!([]));

    let writes: Vec<_> = suite
        .audit_records()
        .into_iter()
        .filter(|r| r["write"] == true)
        .collect();
    assert_eq!(writes.len(), 3, "{writes:?}");
    assert_eq!(writes[0]["method"], "POST");
    assert_eq!(writes[0]["status"], 201);
    assert_eq!(writes[2]["status"], 403);
    suite.stop().await;
}

#[tokio::test]
async fn bad_inspections_are_400_naming_every_problem() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));
    let path = "/v1/sellers/s-it/inspections";

    let problem = suite
        .post(
            path,
            Some(&it),
            &json!({"product": "x", "result": "MAYBE", "inspectedTime": "2026-01-15T10:00:00Z"}),
        )
        .await
        .problem(400);
    let detail = problem["errors"][0]["detail"].as_str().expect("detail");
    assert!(detail.contains("INSPECTION_RESULT_PASS"), "{problem}");

    let problem = suite
        .post(path, Some(&it), &json!({"product": "x"}))
        .await
        .problem(400);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("missing field"),
        "{problem}"
    );

    // The service's own validation comes back as field errors in the JSON spelling.
    let mut future = inspection("INSPECTION_RESULT_PASS");
    future["inspectedTime"] = json!("2099-01-01T00:00:00Z");
    future["product"] = json!("");
    future["requestId"] = json!("insp-future");
    let problem = suite.post(path, Some(&it), &future).await.problem(400);
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect();
    assert!(fields.contains(&"inspectedTime".to_owned()), "{problem}");
    assert!(fields.contains(&"product".to_owned()), "{problem}");

    let problem = suite
        .get("/v1/sellers/s-it/violations?page_size=0", Some(&it))
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "page_size");
    let problem = suite
        .get("/v1/sellers/s-it/violations?page_size=ten", Some(&it))
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "query");
    suite.stop().await;
}
