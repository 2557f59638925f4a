//! The whole story through public interfaces only: gRPC for the platform's parties, the gateway's
//! HTTP/JSON for the regulator. A brand and its reference price; a verified and an unverified
//! seller; an authorised seller's listing published; replica listings (English, then Chinese)
//! blocked; a known-counterfeit image held; a rights-holder notice taken down, counter-noticed and
//! restored after the window; a regulator filing an inspection failure and a notice through the
//! gateway; three strikes suspending a seller and all its listings; the regulator reading cases,
//! the trader, statements and the transparency report, and verifying the audit log.

use genuine_contracts::genuine::enforcement::v1::{
    CaseOutcome, CaseStatus, SubmitCounterNoticeRequest,
};
use genuine_contracts::genuine::listing::v1::{
    AddCounterfeitImagesRequest, AuthorizeSellerRequest, CounterfeitImageSource, ImageInput,
    ListingStatus, SignalCode, image_input,
};
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::gateway::Gateway;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Suite, authed, eventually};
use serde_json::json;

/// A known-counterfeit PDQ hash shared by a hash-sharing programme.
const FAKE_BAG_HASH: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_whole_story_through_public_interfaces() {
    let window = vec![(
        "GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW".to_owned(),
        "3s".to_owned(),
    )];
    let suite = Suite::start(clock::system(), window).await.expect("suite");
    let gateway = Gateway::start(&suite).await;
    let owner = suite.token(Role::RightsHolder, "rh-luxe");

    // A brand, its reference price and its Chinese alias; a verified and an unverified seller.
    let brand_id = register_brand(&suite, "rh-luxe", "Luxe Paris", &["卢克斯"], 1000).await;
    register_verified_seller(&suite, "seller-good", "DE").await;
    register_verified_seller(&suite, "seller-x", "DE").await;
    register_seller(&suite, "seller-new", "DE").await;
    suite
        .listing_client()
        .authorize_seller(authed(
            AuthorizeSellerRequest {
                brand_id: brand_id.clone(),
                seller_id: "seller-good".to_owned(),
            },
            &owner,
        ))
        .await
        .expect("authorise");

    // The authorised seller names the brand at a fair price: published.
    let genuine_bag =
        create_listing(&suite, "seller-good", "Luxe Paris leather handbag", 950).await;
    assert_eq!(
        genuine_bag.status,
        ListingStatus::Active as i32,
        "{:?}",
        genuine_bag.screening
    );

    // Replica vocabulary, English then Chinese, from the unverified seller: blocked.
    for title in [
        "Luxe Paris replica handbag 1:1 mirror quality",
        "卢克斯 高仿 手袋 原单",
    ] {
        let replica = create_listing(&suite, "seller-new", title, 60).await;
        assert_eq!(
            replica.status,
            ListingStatus::Blocked as i32,
            "{title}: {:?}",
            replica.screening
        );
    }

    // A known-counterfeit image: never published, whatever the text says.
    suite
        .listing_client()
        .add_counterfeit_images(authed(
            AddCounterfeitImagesRequest {
                brand_id: brand_id.clone(),
                images: vec![pdq(FAKE_BAG_HASH)],
                source: CounterfeitImageSource::HashSharing as i32,
            },
            &owner,
        ))
        .await
        .expect("add hashes");
    let pictured = create_listing_with_images(
        &suite,
        "seller-good",
        "Brown tote",
        300,
        vec![pdq(FAKE_BAG_HASH)],
    )
    .await;
    assert_ne!(pictured.status, ListingStatus::Active as i32);
    let screening = pictured.screening.expect("screened");
    assert!(
        screening
            .signals
            .iter()
            .any(|s| s.code == SignalCode::ImageMatchesKnownCounterfeit as i32)
    );

    // A rights-holder notice: taken down, counter-noticed, restored when the window closes.
    let contested = create_listing(&suite, "seller-good", "Brown leather shoulder bag", 700).await;
    let notice = rights_holder_notice(&suite, "rh-luxe", &[&contested.listing_id], "story-1").await;
    let contested_case = notice.case_ids[0].clone();
    decide(&suite, "reviewer-1", &contested_case, CaseOutcome::Uphold).await;
    wait_listing_status(&suite, &contested.listing_id, ListingStatus::TakenDown).await;
    suite
        .enforcement_client()
        .submit_counter_notice(authed(
            SubmitCounterNoticeRequest {
                case_id: contested_case.clone(),
                declaration: "Bought from the brand's distributor; invoice attached.".to_owned(),
                evidence_urls: vec!["https://seller.example/invoice.pdf".to_owned()],
            },
            &suite.token(Role::Seller, "seller-good"),
        ))
        .await
        .expect("counter-notice");
    wait_case_status(&suite, &contested_case, CaseStatus::MeasuresLifted).await;
    wait_listing_status(&suite, &contested.listing_id, ListingStatus::Active).await;

    // The regulator, through the gateway: an inspection failure and a notice taking the listing
    // down on receipt.
    let regulator = suite.portal_token("reg-de", "DE");
    let mut listings_x = Vec::new();
    for n in 1..=4 {
        listings_x.push(
            create_listing(&suite, "seller-x", &format!("Kids' bag model {n}"), 40)
                .await
                .listing_id,
        );
    }
    gateway
        .post(
            "/v1/sellers/seller-x/inspections",
            &regulator,
            &json!({
                "product": "Kids' bag",
                "batch": "B-2026-11",
                "result": "INSPECTION_RESULT_FAIL",
                "inspectedTime": "2026-11-20T10:00:00Z",
                "reportRef": "LAB-77",
            }),
        )
        .await
        .ok();
    let filed = gateway
        .post(
            "/v1/notices",
            &regulator,
            &json!({
                "ground": "NOTICE_GROUND_SUBSTANDARD_QUALITY",
                "listingIds": [listings_x[0]],
                "explanation": "Batch B-2026-11 failed the lead-content test (report LAB-77).",
                "goodFaithDeclaration": true,
            }),
        )
        .await
        .ok();
    let regulator_case = filed["caseIds"][0].as_str().expect("a case").to_owned();
    wait_listing_status(&suite, &listings_x[0], ListingStatus::TakenDown).await;

    // Three upheld violations suspend the seller and every listing it has.
    decide(&suite, "reviewer-1", &regulator_case, CaseOutcome::Uphold).await;
    for (n, listing_id) in listings_x[1..3].iter().enumerate() {
        let notice =
            rights_holder_notice(&suite, "rh-luxe", &[listing_id], &format!("story-x-{n}")).await;
        decide(
            &suite,
            "reviewer-1",
            &notice.case_ids[0],
            CaseOutcome::Uphold,
        )
        .await;
        wait_listing_status(&suite, listing_id, ListingStatus::TakenDown).await;
    }
    wait_strikes(&suite, "seller-x", 3).await;
    wait_listing_status(&suite, &listings_x[3], ListingStatus::Suspended).await;

    // What the regulator reads.
    let cases = gateway
        .get("/v1/cases?page_size=100", Some(&regulator))
        .await
        .ok();
    let ids: Vec<&str> = cases["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["caseId"].as_str())
        .collect();
    assert!(
        ids.contains(&regulator_case.as_str()) && ids.contains(&contested_case.as_str()),
        "{ids:?}"
    );
    let case = gateway
        .get(&format!("/v1/cases/{contested_case}"), Some(&regulator))
        .await
        .ok();
    assert_eq!(case["status"], "CASE_STATUS_MEASURES_LIFTED");
    assert!(
        case["timeline"].as_array().is_some_and(|t| t.len() >= 4),
        "{case}"
    );
    assert!(
        case["statementOfReasonsIds"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{case}"
    );

    let trader = gateway
        .get("/v1/sellers/seller-x", Some(&regulator))
        .await
        .ok();
    assert_eq!(trader["traceability"]["legalName"], "seller-x Trading GmbH");
    assert_eq!(trader["standing"]["suspended"], true);
    let violations = gateway
        .get("/v1/sellers/seller-x/violations", Some(&regulator))
        .await
        .ok();
    assert_eq!(
        violations["violations"].as_array().map(Vec::len),
        Some(3),
        "{violations}"
    );
    let inspections = gateway
        .get("/v1/sellers/seller-x/inspections", Some(&regulator))
        .await
        .ok();
    assert_eq!(
        inspections["inspections"][0]["result"], "INSPECTION_RESULT_FAIL",
        "{inspections}"
    );

    let statements = gateway
        .get("/v1/statements?page_size=100", Some(&regulator))
        .await
        .ok();
    let statements = statements["statements"]
        .as_array()
        .expect("statements")
        .clone();
    assert!(
        statements.len() >= 4,
        "one per restriction: {}",
        statements.len()
    );
    assert!(
        statements
            .iter()
            .all(|s| s["contentType"] == "CONTENT_TYPE_PRODUCT")
    );

    let report = eventually("the report counts the story", EFFECT_TIMEOUT, || async {
        let report = gateway
            .get(
                "/v1/reports/transparency?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
                Some(&regulator),
            )
            .await
            .ok();
        (report["counterNotices"].as_u64() >= Some(1)
            && report["restorationsAfterWindow"].as_u64() >= Some(1))
        .then_some(report)
    })
    .await;
    assert!(report["noticesTotal"].as_u64() >= Some(4), "{report}");

    let verified = gateway
        .post("/v1/audit/verify", &regulator, &json!({}))
        .await
        .ok();
    assert_eq!(verified["ok"], true, "{verified}");
    assert!(verified["entriesChecked"].as_u64() > Some(10), "{verified}");
}

fn pdq(hash: &str) -> ImageInput {
    ImageInput {
        image: Some(image_input::Image::PdqHash(hash.to_owned())),
    }
}
