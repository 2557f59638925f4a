//! CloseSeller and the retention sweep over gRPC: the seller itself (or an admin) closes the
//! account; after the retention period (183 days by default) GetSeller shows the record
//! anonymised — the seller id and standing stay, the traceability data is gone.

use std::time::Duration;

use chrono::TimeDelta;
use genuine_contracts::genuine::reputation::v1 as pb;
use tonic::Code;

use crate::support::{As, Running, each_backend, register};

fn close(seller_id: &str) -> pb::CloseSellerRequest {
    pb::CloseSellerRequest {
        seller_id: seller_id.into(),
        reason: "ending the business".into(),
    }
}

async fn get(running: &Running, seller_id: &str) -> pb::Seller {
    running
        .client
        .clone()
        .get_seller(running.req(
            As::Admin,
            pb::GetSellerRequest {
                seller_id: seller_id.into(),
            },
        ))
        .await
        .expect("get")
        .into_inner()
        .seller
        .expect("seller")
}

#[tokio::test]
async fn a_closed_seller_is_anonymised_after_the_retention_period() {
    for running in each_backend().await {
        register(&running, "s-close", "IT").await;
        let mut client = running.client.clone();
        let by_other = client
            .close_seller(running.req(As::Seller("s-other"), close("s-close")))
            .await
            .expect_err("another seller");
        assert_eq!(by_other.code(), Code::PermissionDenied);
        let by_reviewer = client
            .close_seller(running.req(As::Reviewer, close("s-close")))
            .await
            .expect_err("not in the access table");
        assert_eq!(by_reviewer.code(), Code::PermissionDenied);
        let missing = client
            .close_seller(running.req(As::Admin, close("s-none")))
            .await
            .expect_err("unknown seller");
        assert_eq!(missing.code(), Code::NotFound);

        let closed = client
            .close_seller(running.req(As::Seller("s-close"), close("s-close")))
            .await
            .expect("the seller closes itself")
            .into_inner()
            .seller
            .expect("seller");
        assert!(closed.close_time.is_some());
        assert!(closed.anonymize_time.is_none());
        let retention = running
            .outbox()
            .await
            .into_iter()
            .find(|(kind, key, _)| kind == "reputation.retention" && key == "s-close")
            .expect("a retention deadline");
        let close_time = closed.close_time.expect("close time");
        let closed_ms = close_time.seconds * 1000 + i64::from(close_time.nanos) / 1_000_000;
        assert_eq!(
            retention.2.timestamp_millis() - closed_ms,
            TimeDelta::days(183).num_milliseconds(),
            "due at close + the default retention"
        );

        // The deadline is not due yet: the data stays.
        running.clock.advance(TimeDelta::days(182));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let kept = get(&running, "s-close").await;
        assert_eq!(kept.display_name, "Shop s-close");
        assert!(kept.anonymize_time.is_none());

        running.clock.advance(TimeDelta::days(2));
        let mut anonymised = None;
        for _ in 0..200 {
            let current = get(&running, "s-close").await;
            if current.anonymize_time.is_some() {
                anonymised = Some(current);
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let gone = anonymised.expect("anonymised once the retention period is over");
        assert_eq!(gone.seller_id, "s-close");
        assert_eq!(gone.display_name, "closed seller");
        assert!(gone.standing.is_some(), "the standing stays");
        let t = gone
            .traceability
            .expect("an admin sees the (empty) traceability");
        assert!(t.email.is_empty() && t.phone.is_empty() && t.id_document_ref.is_empty());
        assert!(t.payment_account_ref.is_empty() && t.trade_register_number.is_empty());
        running.stop().await;
    }
}
