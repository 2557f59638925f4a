//! Own-initiative detection: screening blocks replica listings (English and Chinese vocabulary)
//! and files a notice with enforcement, which opens a case for the already-blocked listing.

use genuine_contracts::genuine::enforcement::v1::{ListCasesRequest, NoticeSource};
use genuine_contracts::genuine::listing::v1::{ListingStatus, ScreeningDecision, SignalCode};
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Suite, authed, eventually};

#[tokio::test]
async fn replica_listings_are_blocked_and_become_automated_cases() {
    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-z", "DE").await;
    register_brand(&suite, "rh-luxe", "Luxe Paris", &["卢克斯"], 1000).await;

    for title in [
        "L.u.x.e P-a-r-i-s replica bag 1:1 AAA quality",
        "卢克斯 高仿 手袋",
    ] {
        let listing = create_listing(&suite, "seller-z", title, 60).await;
        let screening = listing.screening.clone().expect("screened");
        assert_eq!(
            listing.status,
            ListingStatus::Blocked as i32,
            "{title}: {screening:?}"
        );
        assert_eq!(screening.decision, ScreeningDecision::Block as i32);
        assert!(
            screening
                .signals
                .iter()
                .any(|s| s.code == SignalCode::ReplicaVocabulary as i32),
            "{title}: {screening:?}"
        );

        let admin = suite.token(Role::Admin, "admin");
        let case = eventually(
            "an automated case for the blocked listing",
            EFFECT_TIMEOUT,
            || async {
                let cases = suite
                    .enforcement_client()
                    .list_cases(authed(
                        ListCasesRequest {
                            seller_id: "seller-z".to_owned(),
                            page_size: 50,
                            ..ListCasesRequest::default()
                        },
                        &admin,
                    ))
                    .await
                    .expect("list cases")
                    .into_inner()
                    .cases;
                cases
                    .into_iter()
                    .find(|c| c.listing_id == listing.listing_id)
            },
        )
        .await;
        assert_eq!(
            case.source,
            NoticeSource::AutomatedDetection as i32,
            "{case:?}"
        );
    }
}
