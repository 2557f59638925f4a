//! Repeat infringers (DSA Art. 23): the third upheld violation suspends the seller and takes down
//! all its listings; reinstatement brings back exactly those not taken down for their own reasons.

use genuine_contracts::genuine::enforcement::v1::CaseOutcome;
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_contracts::genuine::reputation::v1::ReinstateSellerRequest;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Suite, authed, eventually};

#[tokio::test]
async fn three_strikes_suspend_every_listing_and_reinstatement_restores_the_innocent_ones() {
    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-3", "DE").await;
    register_brand(&suite, "rh-luxe", "Luxe Paris", &[], 1000).await;

    let mut listings = Vec::new();
    for n in 1..=5 {
        let listing = create_listing(
            &suite,
            "seller-3",
            &format!("Leather handbag model {n}"),
            800,
        )
        .await;
        assert_eq!(listing.status, ListingStatus::Active as i32);
        listings.push(listing.listing_id);
    }
    let (infringing, innocent) = listings.split_at(3);

    for (n, listing_id) in infringing.iter().enumerate() {
        let notice =
            rights_holder_notice(&suite, "rh-luxe", &[listing_id], &format!("n3-{n}")).await;
        decide(
            &suite,
            "reviewer-1",
            &notice.case_ids[0],
            CaseOutcome::Uphold,
        )
        .await;
        wait_listing_status(&suite, listing_id, ListingStatus::TakenDown).await;
        let expected = i32::try_from(n + 1).expect("small");
        let standing = wait_strikes(&suite, "seller-3", expected).await;
        if expected == 2 {
            assert!(
                standing.warned,
                "a warning comes before the suspension: {standing:?}"
            );
            assert!(!standing.suspended);
        }
    }

    let suspended = eventually("seller suspended", EFFECT_TIMEOUT, || async {
        let s = standing(&suite, "seller-3").await;
        s.suspended.then_some(s)
    })
    .await;
    for listing_id in innocent {
        wait_listing_status(&suite, listing_id, ListingStatus::Suspended).await;
    }

    let admin = suite.token(Role::Admin, "admin");
    suite
        .reputation_client()
        .reinstate_seller(authed(
            ReinstateSellerRequest {
                seller_id: "seller-3".to_owned(),
                reason: "Period served; compliance plan accepted.".to_owned(),
            },
            &admin,
        ))
        .await
        .expect("reinstate");
    assert!(!suspended.suspension_id.is_empty());

    for listing_id in innocent {
        wait_listing_status(&suite, listing_id, ListingStatus::Active).await;
    }
    for listing_id in infringing {
        let listing = get_listing(&suite, listing_id).await;
        assert_eq!(
            listing.status,
            ListingStatus::TakenDown as i32,
            "{listing_id} stays down for its own case"
        );
    }
}
