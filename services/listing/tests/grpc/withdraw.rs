//! WithdrawListing over gRPC: only the listing's seller (or an admin), idempotent, and final — a
//! withdrawn listing is neither taken down nor restored — on SQLite and PostgreSQL.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::ServiceName;
use genuine_runtime::storage::testing::TestDatabase;
use tonic::Code;

use crate::support::{Peer, Suite, listing};

fn withdraw(id: &str) -> pb::WithdrawListingRequest {
    pb::WithdrawListingRequest {
        listing_id: id.into(),
        reason: "sold elsewhere".into(),
    }
}

#[tokio::test]
async fn the_seller_withdraws_its_listing_for_good() {
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

        let by_other_seller = client
            .withdraw_listing(suite.as_seller("s2", withdraw(&id)))
            .await
            .expect_err("another seller");
        assert_eq!(
            by_other_seller.code(),
            Code::PermissionDenied,
            "{backend:?}"
        );
        let by_enforcement = client
            .withdraw_listing(suite.as_service(ServiceName::Enforcement, withdraw(&id)))
            .await
            .expect_err("not a listing writer");
        assert_eq!(by_enforcement.code(), Code::PermissionDenied);

        let withdrawn = client
            .withdraw_listing(suite.as_seller("s1", withdraw(&id)))
            .await
            .expect("withdraw")
            .into_inner()
            .listing
            .expect("listing");
        assert_eq!(withdrawn.status, pb::ListingStatus::Withdrawn as i32);
        let again = client
            .withdraw_listing(suite.as_admin(withdraw(&id)))
            .await
            .expect("repeat")
            .into_inner()
            .listing
            .expect("listing");
        assert_eq!(again, withdrawn, "a repeat changes nothing");

        let take_down = client
            .take_down_listing(suite.as_service(
                ServiceName::Enforcement,
                pb::TakeDownListingRequest {
                    listing_id: id.clone(),
                    case_id: "case-1".into(),
                    reason: "counterfeit".into(),
                    action_id: "case-1/take_down/1".into(),
                },
            ))
            .await
            .expect_err("withdrawn");
        assert_eq!(take_down.code(), Code::FailedPrecondition);
        assert!(take_down.message().contains("WITHDRAWN"), "{take_down:?}");
        let restore = client
            .restore_listing(suite.as_admin(pb::RestoreListingRequest {
                listing_id: id.clone(),
                case_id: "case-1".into(),
                action_id: String::new(),
            }))
            .await
            .expect_err("withdrawn");
        assert_eq!(restore.code(), Code::FailedPrecondition);
        assert!(restore.message().contains("WITHDRAWN"), "{restore:?}");

        let missing = client
            .withdraw_listing(suite.as_seller("s1", withdraw("lst-none")))
            .await
            .expect_err("unknown listing");
        assert_eq!(missing.code(), Code::NotFound);
        let no_id = client
            .withdraw_listing(suite.as_seller("s1", withdraw("")))
            .await
            .expect_err("listing id required");
        assert_eq!(no_id.code(), Code::InvalidArgument);
        suite.stop().await;
    }
}
