//! Take-down, restore, suspension and reinstatement over gRPC: who may call them, their
//! idempotency, and how they combine — on SQLite and PostgreSQL.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::ServiceName;
use genuine_runtime::storage::testing::TestDatabase;
use tonic::Code;

use crate::support::{Peer, Suite, listing};

async fn status(suite: &Suite, id: &str) -> i32 {
    let mut client = suite.client.clone();
    client
        .get_listing(suite.as_admin(pb::GetListingRequest {
            listing_id: id.into(),
        }))
        .await
        .expect("get")
        .into_inner()
        .listing
        .expect("listing")
        .status
}

#[tokio::test]
async fn takedown_suspension_and_restore_interplay_on_every_backend() {
    let mut backends = vec![TestDatabase::sqlite().await];
    backends.extend(TestDatabase::postgres().await);
    for db in backends {
        let backend = db.backend;
        let suite = Suite::start_on(db, Peer::Up).await;
        suite.reputation.set("s1", 90, true, false);
        let mut client = suite.client.clone();
        let created = client
            .create_listing(suite.as_seller("s1", listing("s1", "r1", "Canvas tote", 30)))
            .await
            .expect("create")
            .into_inner()
            .listing
            .expect("listing");
        let id = created.listing_id.clone();
        let take_down = pb::TakeDownListingRequest {
            listing_id: id.clone(),
            case_id: "case-1".into(),
            reason: "counterfeit (upheld)".into(),
            ..Default::default()
        };
        let by_seller = client
            .take_down_listing(suite.as_seller("s1", take_down.clone()))
            .await
            .expect_err("seller");
        assert_eq!(by_seller.code(), Code::PermissionDenied);
        let by_reputation = client
            .take_down_listing(suite.as_service(ServiceName::Reputation, take_down.clone()))
            .await
            .expect_err("wrong service");
        assert_eq!(by_reputation.code(), Code::PermissionDenied);
        let down = client
            .take_down_listing(suite.as_service(ServiceName::Enforcement, take_down.clone()))
            .await
            .expect("take down")
            .into_inner()
            .listing
            .expect("listing");
        assert_eq!(
            down.status,
            pb::ListingStatus::TakenDown as i32,
            "{backend:?}"
        );
        let repeat = client
            .take_down_listing(suite.as_service(ServiceName::Enforcement, take_down))
            .await
            .expect("repeat")
            .into_inner()
            .listing
            .expect("listing");
        assert_eq!(repeat, down, "a repeated take-down changes nothing");

        let suspend = pb::SuspendSellerListingsRequest {
            seller_id: "s1".into(),
            suspension_id: "susp-1".into(),
            reason: "three strikes".into(),
        };
        let by_enforcement = client
            .suspend_seller_listings(suite.as_service(ServiceName::Enforcement, suspend.clone()))
            .await
            .expect_err("wrong service");
        assert_eq!(by_enforcement.code(), Code::PermissionDenied);
        let suspended = client
            .suspend_seller_listings(suite.as_service(ServiceName::Reputation, suspend.clone()))
            .await
            .expect("suspend");
        assert_eq!(suspended.into_inner().affected_count, 1);
        let again = client
            .suspend_seller_listings(suite.as_service(ServiceName::Reputation, suspend))
            .await
            .expect("repeat");
        assert_eq!(again.into_inner().affected_count, 0);

        let restore = pb::RestoreListingRequest {
            listing_id: id.clone(),
            case_id: "case-1".into(),
            ..Default::default()
        };
        let restored = client
            .restore_listing(suite.as_service(ServiceName::Enforcement, restore.clone()))
            .await
            .expect("restore")
            .into_inner()
            .listing
            .expect("listing");
        assert_eq!(
            restored.status,
            pb::ListingStatus::Suspended as i32,
            "the suspension remains ({backend:?})"
        );
        client
            .restore_listing(suite.as_service(ServiceName::Enforcement, restore))
            .await
            .expect("repeat restore");
        assert_eq!(
            status(&suite, &id).await,
            pb::ListingStatus::Suspended as i32
        );

        let reinstate = pb::ReinstateSellerListingsRequest {
            seller_id: "s1".into(),
            suspension_id: "susp-1".into(),
        };
        let reinstated = client
            .reinstate_seller_listings(suite.as_service(ServiceName::Reputation, reinstate.clone()))
            .await
            .expect("reinstate");
        assert_eq!(reinstated.into_inner().affected_count, 1);
        let again = client
            .reinstate_seller_listings(suite.as_service(ServiceName::Reputation, reinstate))
            .await
            .expect("repeat");
        assert_eq!(again.into_inner().affected_count, 0);
        assert_eq!(
            status(&suite, &id).await,
            pb::ListingStatus::Active as i32,
            "{backend:?}"
        );

        let missing = client
            .take_down_listing(suite.as_admin(pb::TakeDownListingRequest {
                listing_id: "lst-none".into(),
                case_id: "case-9".into(),
                reason: String::new(),
                ..Default::default()
            }))
            .await
            .expect_err("unknown listing");
        assert_eq!(missing.code(), Code::NotFound);
        let no_case = client
            .restore_listing(suite.as_admin(pb::RestoreListingRequest {
                listing_id: id.clone(),
                case_id: String::new(),
                ..Default::default()
            }))
            .await
            .expect_err("case id required");
        assert_eq!(no_case.code(), Code::InvalidArgument);
        suite.stop().await;
    }
}

#[tokio::test]
async fn a_rejected_case_restores_a_held_listing() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let mut client = suite.client.clone();
    let held = client
        .create_listing(suite.as_seller("s1", listing("s1", "r1", "1:1 mirror quality tote", 30)))
        .await
        .expect("create")
        .into_inner()
        .listing
        .expect("listing");
    assert_eq!(held.status, pb::ListingStatus::Held as i32);
    let restored = client
        .restore_listing(suite.as_service(
            ServiceName::Enforcement,
            pb::RestoreListingRequest {
                listing_id: held.listing_id.clone(),
                case_id: "case-7".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("restore")
        .into_inner()
        .listing
        .expect("listing");
    assert_eq!(restored.status, pb::ListingStatus::Active as i32);
    assert!(restored.measures.is_empty());
    suite.stop().await;
}
