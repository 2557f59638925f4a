//! The outbox delivering to listing: a strike suspension reaches SuspendSellerListings, a
//! reinstatement ReinstateSellerListings, each with the suspension id and a service token.

use std::time::Duration;

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::storage::testing::TestDatabase;
use tokio_util::sync::CancellationToken;

use crate::fake_listing::{Call, FakeListing};
use crate::support::{As, Running, register};

async fn wait_for(fake: &FakeListing, count: usize) -> Vec<Call> {
    for _ in 0..200 {
        let calls = fake.calls();
        if calls.len() >= count {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    fake.calls()
}

#[tokio::test]
async fn suspension_and_reinstatement_are_delivered_to_listing() {
    for db in TestDatabase::all().await {
        let fake = FakeListing::default();
        let stop_fake = CancellationToken::new();
        let url = fake.start(stop_fake.clone()).await;
        let running = Running::start_with_listing(db, &url).await;
        let mut client = running.client.clone();
        register(&running, "s-1", "IT").await;
        let mut suspension_id = String::new();
        for key in ["case-1", "case-2", "case-3"] {
            let request = pb::RecordViolationRequest {
                violation_key: key.into(),
                seller_id: "s-1".into(),
                case_id: key.into(),
                listing_id: "l-1".into(),
                ground: pb::ViolationGround::TrademarkCounterfeit.into(),
                severity: pb::ViolationSeverity::Critical.into(),
                decided_time: None,
            };
            let response = client
                .record_violation(running.req(As::Enforcement, request))
                .await
                .expect("record");
            suspension_id = response
                .into_inner()
                .standing
                .expect("standing")
                .suspension_id;
        }
        assert!(!suspension_id.is_empty());
        let calls = wait_for(&fake, 1).await;
        assert_eq!(
            calls,
            [(
                "SuspendSellerListings",
                "s-1".to_owned(),
                suspension_id.clone(),
                true
            )]
        );

        let reinstate = pb::ReinstateSellerRequest {
            seller_id: "s-1".into(),
            reason: "appeal won".into(),
        };
        client
            .reinstate_seller(running.req(As::Reviewer, reinstate))
            .await
            .expect("reinstate");
        let calls = wait_for(&fake, 2).await;
        assert_eq!(
            calls.get(1),
            Some(&(
                "ReinstateSellerListings",
                "s-1".to_owned(),
                suspension_id.clone(),
                true
            ))
        );
        running.stop().await;
        stop_fake.cancel();
    }
}
