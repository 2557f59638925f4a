//! A notifier's appeal against a rejection: the case took the listing down on receipt, a
//! reviewer rejected it (listing restored), the rights holder appealed and a different reviewer
//! reversed the rejection. The same case then takes the listing down a second time — listing
//! tells this newer action from a late duplicate by its action id — and the strike is recorded.

use genuine_contracts::genuine::enforcement::v1::{AppealOutcome, CaseOutcome, CaseStatus};
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_contracts::genuine::reputation::v1::ViolationState;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::Suite;
use genuine_suite_tests::story::*;

/// One upheld notice makes a rights holder good faith, so its notices take down on receipt.
fn good_faith_after_one_notice() -> Vec<(String, String)> {
    vec![(
        "GENUINE_ENFORCEMENT_GOOD_FAITH_MIN_DECIDED".to_owned(),
        "1".to_owned(),
    )]
}

#[tokio::test]
async fn reversing_a_rejection_takes_the_listing_down_again_and_records_a_strike() {
    let suite = Suite::start(clock::system(), good_faith_after_one_notice())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-earlier", "DE").await;
    register_verified_seller(&suite, "seller-a", "DE").await;
    register_brand(&suite, "rh-luxe", "Luxe Paris", &["卢克斯"], 1000).await;

    // An earlier notice, upheld, makes the rights holder good faith.
    let earlier = create_listing(&suite, "seller-earlier", "Leather handbag, black", 900).await;
    let first = rights_holder_notice(&suite, "rh-luxe", &[&earlier.listing_id], "n-0").await;
    decide(
        &suite,
        "reviewer-1",
        &first.case_ids[0],
        CaseOutcome::Uphold,
    )
    .await;

    // Its next notice takes the listing down on receipt (the case's first action).
    let listing = create_listing(&suite, "seller-a", "Leather handbag, brown", 900).await;
    assert_eq!(listing.status, ListingStatus::Active as i32);
    let notice = rights_holder_notice(&suite, "rh-luxe", &[&listing.listing_id], "n-1").await;
    let case_id = notice.case_ids[0].clone();
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::TakenDown).await;

    // The reviewer rejects: the listing is restored for this case (its second action).
    let rejected = decide(&suite, "reviewer-1", &case_id, CaseOutcome::Reject).await;
    assert_eq!(rejected.status, CaseStatus::Rejected as i32);
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::Active).await;

    // The notifier appeals the rejection; a different reviewer reverses it.
    let rights_holder = suite.token(Role::RightsHolder, "rh-luxe");
    let appeal = file_appeal(&suite, &rights_holder, &case_id, "appeal-rh-1").await;
    let reversed = decide_appeal(
        &suite,
        "reviewer-2",
        &appeal.appeal_id,
        AppealOutcome::Reverse,
    )
    .await;
    assert_eq!(reversed.status, CaseStatus::ActionTaken as i32);

    // The same case takes the listing down again (its third action), and the strike counts.
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::TakenDown).await;
    wait_strikes(&suite, "seller-a", 1).await;
    let history = violations(&suite, "seller-a").await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].case_id, case_id);
    assert_eq!(history[0].state, ViolationState::Upheld as i32);
}
