//! Statements of reasons, the transparency report and the audit log through the gateway.

use serde_json::json;

use crate::support::{Suite, Token, upheld_case};

#[tokio::test]
async fn statements_and_the_transparency_report_cover_the_regulators_case() {
    let suite = Suite::start().await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));
    let case_id = upheld_case(&suite, &it).await;

    let case = suite
        .get(&format!("/v1/cases/{case_id}"), Some(&it))
        .await
        .ok(200);
    assert_eq!(case["decision"]["outcome"], "CASE_OUTCOME_UPHOLD", "{case}");
    let statement_id = case["statementOfReasonsIds"][0]
        .as_str()
        .expect("statement id")
        .to_owned();

    let page = suite
        .get("/v1/statements?page_size=50", Some(&it))
        .await
        .ok(200);
    let statements = page["statements"].as_array().expect("statements");
    let statement = statements
        .iter()
        .find(|s| s["statementOfReasonsId"] == statement_id.as_str())
        .unwrap_or_else(|| panic!("{statement_id} missing from {page}"));
    assert_eq!(statement["caseId"], case_id.as_str());
    assert_eq!(statement["contentType"], "CONTENT_TYPE_PRODUCT");
    assert!(
        statement["decisionGround"]
            .as_str()
            .expect("ground")
            .starts_with("DECISION_GROUND_")
    );
    assert!(statement["transparencyDatabase"].is_object(), "{statement}");
    assert!(statement["puid"].as_str().is_some_and(|p| !p.is_empty()));

    // Enforcement records the strike with reputation through its outbox: the trader's history
    // shows it shortly after.
    let mut violations = serde_json::Value::Null;
    for _ in 0..100 {
        violations = suite
            .get("/v1/sellers/s-it/violations", Some(&it))
            .await
            .ok(200);
        if violations["violations"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let violation = &violations["violations"][0];
    assert_eq!(violation["caseId"], case_id.as_str(), "{violations}");
    assert_eq!(violation["state"], "VIOLATION_STATE_UPHELD");
    assert!(
        violation["ground"]
            .as_str()
            .expect("ground")
            .starts_with("VIOLATION_GROUND_")
    );

    let later = suite
        .get("/v1/statements?since=2099-01-01T00:00:00Z", Some(&it))
        .await
        .ok(200);
    assert_eq!(later["statements"], json!([]));
    let problem = suite
        .get("/v1/statements?since=yesterday", Some(&it))
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "since");

    let report = suite
        .get("/v1/reports/transparency", Some(&it))
        .await
        .ok(200);
    assert_eq!(report["jurisdiction"], "IT");
    assert!(
        report["noticesTotal"].as_u64().expect("total") >= 1,
        "{report}"
    );
    assert!(
        report["casesUpheld"].as_u64().expect("upheld") >= 1,
        "{report}"
    );
    let regulator = report["noticesBySource"]
        .as_array()
        .expect("by source")
        .iter()
        .find(|c| c["source"] == "NOTICE_SOURCE_REGULATOR")
        .expect("regulator notices counted");
    assert!(regulator["count"].as_u64().expect("count") >= 1);
    let de = suite.token(&Token::regulator("reg-de", "DE"));
    let other = suite
        .get("/v1/reports/transparency", Some(&de))
        .await
        .ok(200);
    assert_eq!(other["jurisdiction"], "DE");
    assert_eq!(other["noticesTotal"], 0, "{other}");
    let problem = suite
        .get(
            "/v1/reports/transparency?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            Some(&it),
        )
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "from");
    suite.stop().await;
}

#[tokio::test]
async fn the_audit_log_head_proofs_and_verification_are_served() {
    let suite = Suite::start().await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));
    upheld_case(&suite, &it).await;

    let head = suite.get("/v1/audit/head", Some(&it)).await.ok(200);
    let size = head["treeSize"].as_u64().expect("size");
    assert!(size >= 2, "notice and decision at least: {head}");
    assert_eq!(
        head["rootHash"].as_str().expect("root").len(),
        44,
        "base64 of 32 bytes"
    );
    assert!(!head["signature"].as_str().expect("signature").is_empty());

    let proof = suite.get("/v1/audit/proof/0", Some(&it)).await.ok(200);
    assert_eq!(proof["entry"]["index"], 0);
    assert_eq!(proof["inclusionProof"]["leafIndex"], 0);
    assert!(
        proof["inclusionProof"]["auditPath"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    let proof = suite
        .get(
            &format!("/v1/audit/proof/1?tree_size={size}&consistency_from=1"),
            Some(&it),
        )
        .await
        .ok(200);
    assert_eq!(proof["consistencyProof"]["firstTreeSize"], 1, "{proof}");
    let status = suite
        .get("/v1/audit/proof/999999", Some(&it))
        .await
        .status
        .as_u16();
    assert!(status == 400 || status == 404, "beyond the log: {status}");
    suite
        .get("/v1/audit/proof/minus-one", Some(&it))
        .await
        .problem(400);

    let verdict = suite
        .post("/v1/audit/verify", Some(&it), &json!({}))
        .await
        .ok(200);
    assert_eq!(verdict["ok"], true, "{verdict}");
    // Effects delivered meanwhile may have appended entries.
    assert!(
        verdict["entriesChecked"].as_u64().expect("checked") >= size,
        "{verdict}"
    );
    let empty_body = suite
        .send(http::Method::POST, "/v1/audit/verify", Some(&it), None, &[])
        .await;
    assert_eq!(empty_body.ok(200)["ok"], true);
    suite
        .post(
            "/v1/audit/verify",
            Some(&it),
            &json!({"fromIndex": 5, "toIndex": 2}),
        )
        .await
        .problem(400);
    suite.stop().await;
}

#[tokio::test]
async fn readiness_needs_every_upstream_serving() {
    let suite = Suite::start().await;
    let ready = suite.get("/readyz", None).await.ok(200);
    assert_eq!(ready["status"], "ready");
    for name in ["listing", "reputation", "enforcement"] {
        assert_eq!(ready["upstreams"][name], "SERVING", "{ready}");
    }
    suite.stop().await;
}
