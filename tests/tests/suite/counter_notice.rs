//! The counter-notice window (China E-Commerce Law Art. 43): without proof of legal action within
//! the window the measures end (listing restored, strike withdrawn); with it they stay. The window
//! is a durable deadline, so it fires on time even across a restart of enforcement.

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1::{
    CaseOutcome, CaseStatus, ConfirmLegalActionRequest, SubmitCounterNoticeRequest,
};
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Service, Suite, authed};

const WINDOW: &str = "3s";

async fn taken_down_case(suite: &Suite, seller: &str) -> (String, String) {
    register_verified_seller(suite, seller, "DE").await;
    register_brand(suite, "rh-luxe", "Luxe Paris", &[], 1000).await;
    let listing = create_listing(suite, seller, "Leather handbag, black", 950).await;
    let notice = rights_holder_notice(
        suite,
        "rh-luxe",
        &[&listing.listing_id],
        &format!("n-{seller}"),
    )
    .await;
    let case_id = notice.case_ids[0].clone();
    decide(suite, "reviewer-1", &case_id, CaseOutcome::Uphold).await;
    wait_listing_status(suite, &listing.listing_id, ListingStatus::TakenDown).await;
    wait_strikes(suite, seller, 1).await;
    (listing.listing_id, case_id)
}

async fn counter_notice(suite: &Suite, seller: &str, case_id: &str) {
    let token = suite.token(Role::Seller, seller);
    let case = suite
        .enforcement_client()
        .submit_counter_notice(authed(
            SubmitCounterNoticeRequest {
                case_id: case_id.to_owned(),
                declaration: "The bag is genuine; invoice from the brand's distributor attached."
                    .to_owned(),
                evidence_urls: vec!["https://seller.example/invoice.pdf".to_owned()],
            },
            &token,
        ))
        .await
        .expect("counter-notice")
        .into_inner()
        .case
        .expect("case");
    assert_eq!(case.status, CaseStatus::CounterNoticePending as i32);
    assert!(case.window_end_time.is_some(), "the window end is shown");
}

fn window() -> Vec<(String, String)> {
    vec![(
        "GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW".to_owned(),
        WINDOW.to_owned(),
    )]
}

#[tokio::test]
async fn window_expiry_restores_the_listing_and_withdraws_the_strike() {
    let suite = Suite::start(clock::system(), window())
        .await
        .expect("suite");
    let (listing_id, case_id) = taken_down_case(&suite, "seller-w").await;
    counter_notice(&suite, "seller-w", &case_id).await;

    wait_case_status(&suite, &case_id, CaseStatus::MeasuresLifted).await;
    wait_listing_status(&suite, &listing_id, ListingStatus::Active).await;
    wait_strikes(&suite, "seller-w", 0).await;
}

#[tokio::test]
async fn legal_action_within_the_window_keeps_the_measures() {
    let suite = Suite::start(clock::system(), window())
        .await
        .expect("suite");
    let (listing_id, case_id) = taken_down_case(&suite, "seller-l").await;
    counter_notice(&suite, "seller-l", &case_id).await;

    let rights_holder = suite.token(Role::RightsHolder, "rh-luxe");
    let case = suite
        .enforcement_client()
        .confirm_legal_action(authed(
            ConfirmLegalActionRequest {
                case_id: case_id.clone(),
                authority_or_court: "Landgericht Hamburg".to_owned(),
                reference: "312 O 77/26".to_owned(),
            },
            &rights_holder,
        ))
        .await
        .expect("confirm legal action")
        .into_inner()
        .case
        .expect("case");
    assert_eq!(case.status, CaseStatus::MeasuresMaintained as i32);

    // Well past the window: nothing was lifted.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        get_case(&suite, &case_id).await.status,
        CaseStatus::MeasuresMaintained as i32
    );
    assert_eq!(
        get_listing(&suite, &listing_id).await.status,
        ListingStatus::TakenDown as i32
    );
    assert_eq!(standing(&suite, "seller-l").await.active_strikes, 1);
}

#[tokio::test]
async fn the_window_fires_on_time_across_a_restart_of_enforcement() {
    let mut suite = Suite::start(clock::system(), window())
        .await
        .expect("suite");
    let (listing_id, case_id) = taken_down_case(&suite, "seller-x").await;
    counter_notice(&suite, "seller-x", &case_id).await;

    suite
        .stop(Service::Enforcement)
        .await
        .expect("stop enforcement");
    // Down for most of the window, then back: the deadline is a row, not a timer in memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    suite
        .restart(Service::Enforcement)
        .await
        .expect("restart enforcement");

    wait_case_status(&suite, &case_id, CaseStatus::MeasuresLifted).await;
    wait_listing_status(&suite, &listing_id, ListingStatus::Active).await;
    wait_strikes(&suite, "seller-x", 0).await;
}
