//! Notice and action across the services: a rights holder's notice upheld by a reviewer takes
//! the listing down and records a strike; an appeal reversal undoes both; a regulator's notice
//! takes the listing down on receipt.

use genuine_contracts::genuine::enforcement::v1::{
    AppealOutcome, CaseOutcome, CaseStatus, DecideAppealRequest, FileAppealRequest, NoticeGround,
    NoticeSource, Notifier, SubmitNoticeRequest,
};
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_contracts::genuine::reputation::v1::ViolationState;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Suite, authed};

#[tokio::test]
async fn upheld_notice_takes_down_and_strikes_then_appeal_reversal_undoes_everything() {
    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-a", "DE").await;
    register_brand(&suite, "rh-luxe", "Luxe Paris", &["卢克斯"], 1000).await;
    let listing = create_listing(&suite, "seller-a", "Leather handbag, brown", 900).await;
    assert_eq!(
        listing.status,
        ListingStatus::Active as i32,
        "{:?}",
        listing.screening
    );

    let notice = rights_holder_notice(&suite, "rh-luxe", &[&listing.listing_id], "n-1").await;
    let case_id = notice.case_ids[0].clone();
    let case = get_case(&suite, &case_id).await;
    assert_eq!(
        case.seller_id, "seller-a",
        "the seller is looked up from the listing"
    );

    let decided = decide(&suite, "reviewer-1", &case_id, CaseOutcome::Uphold).await;
    assert_eq!(decided.status, CaseStatus::ActionTaken as i32);
    assert!(
        !decided.statement_of_reasons_ids.is_empty(),
        "a statement at the moment of the restriction"
    );
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::TakenDown).await;
    wait_strikes(&suite, "seller-a", 1).await;

    // The seller appeals; a different reviewer reverses.
    let seller = suite.token(Role::Seller, "seller-a");
    let appeal = suite
        .enforcement_client()
        .file_appeal(authed(
            FileAppealRequest {
                request_id: "appeal-1".to_owned(),
                case_id: case_id.clone(),
                grounds: "The bag is an unbranded design of our own.".to_owned(),
            },
            &seller,
        ))
        .await
        .expect("file appeal")
        .into_inner()
        .appeal
        .expect("appeal");
    let same_reviewer = suite.token(Role::Reviewer, "reviewer-1");
    let refused = suite
        .enforcement_client()
        .decide_appeal(authed(
            DecideAppealRequest {
                appeal_id: appeal.appeal_id.clone(),
                outcome: AppealOutcome::Reverse as i32,
                explanation: "x".to_owned(),
            },
            &same_reviewer,
        ))
        .await
        .expect_err("the reviewer who decided may not decide the appeal");
    assert!(
        matches!(
            refused.code(),
            tonic::Code::PermissionDenied | tonic::Code::FailedPrecondition
        ),
        "{refused:?}"
    );
    let other_reviewer = suite.token(Role::Reviewer, "reviewer-2");
    suite
        .enforcement_client()
        .decide_appeal(authed(
            DecideAppealRequest {
                appeal_id: appeal.appeal_id,
                outcome: AppealOutcome::Reverse as i32,
                explanation: "Design is the seller's own; no trademark shown.".to_owned(),
            },
            &other_reviewer,
        ))
        .await
        .expect("decide appeal");

    let reversed = wait_case_status(&suite, &case_id, CaseStatus::Reversed).await;
    assert!(
        reversed.statement_of_reasons_ids.len() >= 2,
        "a new statement of reasons for the reversal: {:?}",
        reversed.statement_of_reasons_ids
    );
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::Active).await;
    wait_strikes(&suite, "seller-a", 0).await;
    let history = violations(&suite, "seller-a").await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].state, ViolationState::Retracted as i32);
}

#[tokio::test]
async fn regulator_notice_takes_the_listing_down_on_receipt() {
    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-r", "DE").await;
    let listing = create_listing(&suite, "seller-r", "Children's toy car", 30).await;
    assert_eq!(listing.status, ListingStatus::Active as i32);

    let regulator = suite.regulator_token("bnetza-1", "DE");
    let notice = submit_notice(
        &suite,
        &regulator,
        SubmitNoticeRequest {
            request_id: "reg-1".to_owned(),
            source: NoticeSource::Regulator as i32,
            notifier: Some(Notifier {
                notifier_id: "bnetza-1".to_owned(),
                name: "DE market surveillance".to_owned(),
                email: "surveillance@agency.example".to_owned(),
                organization: "DE market surveillance".to_owned(),
            }),
            ground: NoticeGround::UnsafeProduct as i32,
            listing_ids: vec![listing.listing_id.clone()],
            brand_id: None,
            explanation: "Batch failed the small-parts test (EN 71-1).".to_owned(),
            evidence_urls: vec!["https://agency.example/report/77".to_owned()],
            good_faith_declaration: true,
            jurisdiction: "DE".to_owned(),
            automated_detection: None,
        },
    )
    .await;
    // No reviewer decided anything: the measure came with the notice.
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::TakenDown).await;
    let case = get_case(&suite, &notice.case_ids[0]).await;
    assert!(case.measure_in_force, "{case:?}");
}
