//! Notices, cases and listings through the gateway, against the real services.

use serde_json::json;

use crate::support::{Suite, Token};

fn notice(listing_id: &str) -> serde_json::Value {
    json!({
        "requestId": "notice-1",
        "ground": "NOTICE_GROUND_COUNTERFEIT",
        "listingIds": [listing_id],
        "explanation": "Goods seized at the border carried this listing's reference.",
        "evidenceUrls": ["https://example.gov.it/seizures/2026-17"],
        "goodFaithDeclaration": true,
        "contactEmail": "officer@example.gov.it"
    })
}

#[tokio::test]
async fn a_regulator_files_a_notice_and_follows_its_case_within_its_jurisdiction() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    let listing = suite.create_listing("s-it", "Brown tote").await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));
    let de = suite.token(&Token::regulator("reg-de", "DE"));

    let answer = suite
        .post("/v1/notices", Some(&it), &notice(&listing))
        .await;
    let filed = answer.ok(201);
    let notice_id = filed["noticeId"].as_str().expect("id").to_owned();
    assert_eq!(
        answer.headers["location"],
        format!("/v1/notices/{notice_id}")
    );
    assert_eq!(filed["source"], "NOTICE_SOURCE_REGULATOR");
    assert_eq!(filed["jurisdiction"], "IT");
    assert_eq!(filed["notifier"]["name"], "Agency of reg-it");
    assert_eq!(filed["notifier"]["notifierId"], "reg-it");
    assert!(
        filed["receiptTime"]
            .as_str()
            .expect("receipt")
            .ends_with('Z')
    );
    let case_id = filed["caseIds"][0].as_str().expect("case").to_owned();

    // A retry with the same request id is the same notice.
    let again = suite
        .post("/v1/notices", Some(&it), &notice(&listing))
        .await
        .ok(201);
    assert_eq!(again["noticeId"], notice_id.as_str());

    let read = suite
        .get(&format!("/v1/notices/{notice_id}"), Some(&it))
        .await
        .ok(200);
    assert_eq!(read["caseIds"][0], case_id.as_str());
    let colleague = suite.token(&Token::regulator("reg-it-2", "IT"));
    suite
        .get(&format!("/v1/notices/{notice_id}"), Some(&colleague))
        .await
        .problem(404);
    suite
        .get(&format!("/v1/notices/{notice_id}"), Some(&de))
        .await
        .problem(404);

    let case = suite
        .get(&format!("/v1/cases/{case_id}"), Some(&it))
        .await
        .ok(200);
    assert_eq!(case["listingId"], listing.as_str());
    assert_eq!(case["sellerId"], "s-it");
    assert_eq!(case["priority"], "CASE_PRIORITY_URGENT");
    let timeline = case["timeline"].as_array().expect("timeline");
    assert_eq!(timeline[0]["kind"], "CASE_EVENT_KIND_OPENED", "{case}");
    let status = suite
        .get(&format!("/v1/cases/{case_id}"), Some(&de))
        .await
        .status
        .as_u16();
    assert!(
        status == 403 || status == 404,
        "another jurisdiction's case: {status}"
    );

    let list = suite
        .get(
            "/v1/cases?source=NOTICE_SOURCE_REGULATOR&seller_id=s-it",
            Some(&it),
        )
        .await
        .ok(200);
    let ids: Vec<_> = list["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["caseId"].clone())
        .collect();
    assert_eq!(ids, [json!(case_id)]);
    let list = suite.get("/v1/cases", Some(&de)).await.ok(200);
    assert_eq!(list["cases"], json!([]), "DE sees no IT case");
    let list = suite
        .get("/v1/cases?status=CASE_STATUS_REVERSED", Some(&it))
        .await
        .ok(200);
    assert_eq!(list["cases"], json!([]));

    let seen = suite
        .get(&format!("/v1/listings/{listing}"), Some(&it))
        .await
        .ok(200);
    assert_eq!(seen["sellerId"], "s-it");
    assert!(
        seen["status"]
            .as_str()
            .expect("status")
            .starts_with("LISTING_STATUS_")
    );
    assert!(
        seen["screening"]["decision"]
            .as_str()
            .expect("decision")
            .starts_with("SCREENING_DECISION_")
    );
    suite
        .get(&format!("/v1/listings/{listing}"), Some(&de))
        .await
        .problem(404);
    suite
        .get("/v1/listings/no-such-listing", Some(&it))
        .await
        .problem(404);
    suite
        .get("/v1/cases/no-such-case", Some(&it))
        .await
        .problem(404);
    suite.stop().await;
}

#[tokio::test]
async fn bad_notices_are_400_naming_the_fields() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    let listing = suite.create_listing("s-it", "Brown tote").await;
    let it = suite.token(&Token::regulator("reg-it", "IT"));

    let mut empty = notice(&listing);
    empty["explanation"] = json!("");
    empty["requestId"] = json!("notice-empty");
    let problem = suite
        .post("/v1/notices", Some(&it), &empty)
        .await
        .problem(400);
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert!(fields.contains(&json!("explanation")), "{problem}");

    let mut unknown = notice(&listing);
    unknown["ground"] = json!("NOTICE_GROUND_BAD_VIBES");
    let problem = suite
        .post("/v1/notices", Some(&it), &unknown)
        .await
        .problem(400);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("NOTICE_GROUND_COUNTERFEIT")
    );

    let mut extra = notice(&listing);
    extra["source"] = json!("NOTICE_SOURCE_CONSUMER");
    let problem = suite
        .post("/v1/notices", Some(&it), &extra)
        .await
        .problem(400);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("unknown field"),
        "{problem}"
    );

    let mut missing = notice("no-such-listing");
    missing["requestId"] = json!("notice-missing");
    let status = suite
        .post("/v1/notices", Some(&it), &missing)
        .await
        .status
        .as_u16();
    assert!(status == 404 || status == 400, "unknown listing: {status}");
    suite.stop().await;
}
