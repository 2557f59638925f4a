//! The deadline handler against a real store, and the listing handlers' classification of a
//! listing service that does not answer.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use genuine_contracts::genuine::listing::v1::SuspendSellerListingsRequest;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_runtime::auth::{ServiceName, TokenIssuer};
use genuine_runtime::clients::{ClientConfig, ServiceCredentials, service_channel};
use genuine_runtime::clock::{Clock, ManualClock};
use genuine_runtime::errors::ErrorCode;
use genuine_runtime::outbox::{Failure, Handler, Message, Wake};
use genuine_runtime::storage::testing::TestDatabase;
use prost::Message as _;

use super::{SuspendListings, SuspensionEnd};
use crate::domain::{Address, Registration, StandingRules};
use crate::store::{Actor, Migrator, NewSeller, Store};

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
}

fn message(kind: &str, key: &str, payload: Vec<u8>, due_at: DateTime<Utc>) -> Message {
    Message {
        id: 1,
        kind: kind.to_owned(),
        key: key.to_owned(),
        payload,
        attempts: 1,
        due_at,
        trace_parent: None,
    }
}

fn registration() -> Registration {
    Registration {
        legal_name: "Li Trading Co.".into(),
        display_name: "Li".into(),
        email: "li@example.cn".into(),
        phone: "+8613800138000".into(),
        address: Address {
            lines: vec!["1 Nanjing Rd".into()],
            city: "Shanghai".into(),
            country_code: "CN".into(),
            ..Address::default()
        },
        trade_register_name: "SAMR".into(),
        trade_register_number: "9131".into(),
        id_document_ref: "id".into(),
        payment_account_ref: "pay".into(),
        self_certified: true,
    }
}

#[tokio::test]
async fn the_deadline_ends_the_suspension_once_its_period_is_over() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let clock = ManualClock::at(start());
        let store = Store::new(
            test_db.db.clone(),
            StandingRules::default(),
            Arc::new(clock.clone()),
            Wake::new(),
        );
        let admin = Actor::new("a", "admin");
        let new = NewSeller {
            request_id: "r-1".into(),
            seller_id: Some("s-1".into()),
            registration: registration(),
        };
        store.register(new, &admin).await.expect("register");
        let standing = store
            .suspend("s-1", "fraud", None, &admin)
            .await
            .expect("suspend");
        let (id, ends_at) = standing.suspension.expect("suspended");
        let handler = SuspensionEnd::new(store.clone());

        let early = handler
            .handle(&message(
                "reputation.suspension_end",
                &id,
                Vec::new(),
                clock.now(),
            ))
            .await;
        assert!(matches!(early, Err(Failure::Park(_))), "{early:?}");
        clock.set(ends_at + TimeDelta::minutes(1));
        let fired = message("reputation.suspension_end", &id, Vec::new(), ends_at);
        handler.handle(&fired).await.expect("ends");
        assert!(!store.standing("s-1").await.expect("standing").suspended);
        handler
            .handle(&fired)
            .await
            .expect("a second delivery changes nothing");

        let unknown = handler
            .handle(&message(
                "reputation.suspension_end",
                "nope",
                Vec::new(),
                ends_at,
            ))
            .await;
        assert!(matches!(unknown, Err(Failure::Park(_))), "{unknown:?}");
        let err = store.end_suspension("nope").await.expect_err("unknown");
        assert_eq!(err.code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn listing_handlers_retry_while_listing_is_down_and_park_bad_payloads() {
    let issuer = TokenIssuer::hs256(b"secret", "genuine", "genuine").expect("issuer");
    let credentials = ServiceCredentials::for_service(issuer, ServiceName::Reputation);
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let config = ClientConfig::new("http://127.0.0.1:1")
        .with_deadline(std::time::Duration::from_millis(500));
    let channel = service_channel(&config, credentials).expect("channel");
    let handler = SuspendListings::new(ListingServiceClient::new(channel));

    let request = SuspendSellerListingsRequest {
        seller_id: "s-1".into(),
        suspension_id: "susp-1".into(),
        reason: "3 strikes".into(),
    };
    let down = handler
        .handle(&message(
            "listing.suspend_seller_listings",
            "susp-1",
            request.encode_to_vec(),
            start(),
        ))
        .await;
    assert!(matches!(down, Err(Failure::Retry(_))), "{down:?}");

    let garbage = handler
        .handle(&message(
            "listing.suspend_seller_listings",
            "susp-1",
            vec![0xff, 0xff, 0xff],
            start(),
        ))
        .await;
    assert!(matches!(garbage, Err(Failure::Park(_))), "{garbage:?}");
}
