//! ScreenListing and ScreenListings, and screening when seller-reputation is down or slow.

use std::time::Duration;

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Role, ServiceName};
use genuine_runtime::storage::testing::TestDatabase;
use tonic::Code;

use crate::support::{Peer, Suite, eur, listing};

fn draft(seller: &str, title: &str) -> pb::ListingDraft {
    pb::ListingDraft {
        seller_id: seller.into(),
        title: title.into(),
        description: String::new(),
        category: "handbags".into(),
        price: Some(eur(40)),
        images: Vec::new(),
    }
}

fn codes(result: &pb::ScreeningResult) -> Vec<i32> {
    result.signals.iter().map(|s| s.code).collect()
}

#[tokio::test]
async fn unreachable_standing_holds_the_listing_with_a_signal_saying_why() {
    let suite = Suite::start_on(TestDatabase::sqlite().await, Peer::Down).await;
    let mut client = suite.client.clone();
    let created = client
        .create_listing(suite.as_seller("s1", listing("s1", "r1", "Canvas tote", 30)))
        .await
        .expect("create")
        .into_inner()
        .listing
        .expect("listing");
    assert_eq!(created.status, pb::ListingStatus::Held as i32);
    let screening = created.screening.expect("screening");
    assert_eq!(
        codes(&screening),
        [pb::SignalCode::StandingUnavailable as i32]
    );
    assert_eq!(
        screening.decision,
        pb::ScreeningDecision::HoldForReview as i32
    );
    suite.stop().await;
}

#[tokio::test]
async fn late_standing_holds_the_listing() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    *suite.reputation.delay.lock().expect("lock") = Duration::from_millis(300);
    let mut client = suite.client.clone();
    let started = std::time::Instant::now();
    let screened = client
        .screen_listing(suite.as_seller(
            "s1",
            pb::ScreenListingRequest {
                draft: Some(draft("s1", "Canvas tote")),
            },
        ))
        .await
        .expect("screen")
        .into_inner()
        .screening
        .expect("screening");
    assert!(
        started.elapsed() < Duration::from_millis(290),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(
        codes(&screened),
        [pb::SignalCode::StandingUnavailable as i32]
    );
    assert_eq!(
        screened.decision,
        pb::ScreeningDecision::HoldForReview as i32
    );
    suite.stop().await;
}

#[tokio::test]
async fn standing_signals_reach_the_result_and_screening_stores_nothing() {
    let suite = Suite::start().await;
    suite.reputation.set("weak", 20, false, false);
    suite.reputation.set("banned", 5, true, true);
    let mut client = suite.client.clone();
    let weak = client
        .screen_listing(suite.request(
            "rev-1",
            vec![Role::Reviewer],
            pb::ScreenListingRequest {
                draft: Some(draft("weak", "Canvas tote")),
            },
        ))
        .await
        .expect("screen")
        .into_inner()
        .screening
        .expect("screening");
    assert_eq!(
        codes(&weak),
        [
            pb::SignalCode::SellerLowStanding as i32,
            pb::SignalCode::SellerUnverified as i32
        ]
    );
    assert_eq!(weak.decision, pb::ScreeningDecision::HoldForReview as i32);
    let banned = client
        .screen_listing(suite.as_admin(pb::ScreenListingRequest {
            draft: Some(draft("banned", "Canvas tote")),
        }))
        .await
        .expect("screen")
        .into_inner()
        .screening
        .expect("screening");
    assert_eq!(banned.decision, pb::ScreeningDecision::Block as i32);
    let other = client
        .screen_listing(suite.as_seller(
            "s9",
            pb::ScreenListingRequest {
                draft: Some(draft("weak", "Canvas tote")),
            },
        ))
        .await
        .expect_err("another seller's draft");
    assert_eq!(other.code(), Code::PermissionDenied);
    let listed = client
        .list_listings(suite.as_admin(pb::ListListingsRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert!(listed.listings.is_empty(), "screening stores nothing");
    suite.stop().await;
}

#[tokio::test]
async fn screen_listings_streams_one_answer_per_draft_in_order() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let mut client = suite.client.clone();
    let mut bad = draft("s1", "");
    bad.price = Some(genuine_contracts::genuine::common::v1::Money {
        currency_code: "ZZZ".into(),
        units: 1,
        nanos: 0,
    });
    let requests = vec![
        pb::ScreenListingsRequest {
            r#ref: "a".into(),
            draft: Some(draft("s1", "Canvas tote")),
        },
        pb::ScreenListingsRequest {
            r#ref: "b".into(),
            draft: Some(bad),
        },
        pb::ScreenListingsRequest {
            r#ref: "c".into(),
            draft: Some(draft("s1", "高仿 tote")),
        },
    ];
    let denied = client
        .screen_listings(suite.as_seller("s1", tokio_stream::iter(requests.clone())))
        .await
        .expect_err("sellers may not bulk-screen");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let mut stream = client
        .screen_listings(suite.as_service(ServiceName::Enforcement, tokio_stream::iter(requests)))
        .await
        .expect("stream")
        .into_inner();
    let mut answers = Vec::new();
    while let Some(answer) = stream.message().await.expect("message") {
        answers.push(answer);
    }
    let refs: Vec<_> = answers.iter().map(|a| a.r#ref.as_str()).collect();
    assert_eq!(refs, ["a", "b", "c"]);
    assert_eq!(
        answers[0].screening.as_ref().expect("a").decision,
        pb::ScreeningDecision::Publish as i32
    );
    assert!(answers[1].screening.is_none());
    assert!(
        answers[1].error.contains("draft.title"),
        "{}",
        answers[1].error
    );
    assert!(
        answers[1].error.contains("draft.price.currency_code"),
        "{}",
        answers[1].error
    );
    assert_eq!(
        answers[2].screening.as_ref().expect("c").decision,
        pb::ScreeningDecision::HoldForReview as i32
    );
    suite.stop().await;
}

#[tokio::test]
async fn screen_listings_screens_drafts_concurrently_and_answers_in_order() {
    // A generous deadline: this test is about order and batching, not lateness.
    let suite = Suite::start_with(
        TestDatabase::sqlite().await,
        Peer::Up,
        &[("GENUINE_LISTING_STANDING_DEADLINE", "30s")],
    )
    .await;
    // Slow enough that look-ups queue behind the calls in flight.
    *suite.reputation.delay.lock().expect("lock") = Duration::from_millis(20);
    const SELLERS: usize = 40;
    for s in 0..SELLERS {
        // Every third seller is suspended: their drafts are blocked.
        suite
            .reputation
            .set(&format!("seller-{s}"), 90, true, s.is_multiple_of(3));
    }
    // Invalid drafts (no title) are answered without a look-up, so they finish before the
    // valid drafts queued ahead of them; several drafts share each seller.
    let requests: Vec<_> = (0..600)
        .map(|i| {
            let seller = format!("seller-{}", i % SELLERS);
            let title = if i % 5 == 4 { "" } else { "Canvas tote" };
            pb::ScreenListingsRequest {
                r#ref: format!("r{i}"),
                draft: Some(draft(&seller, title)),
            }
        })
        .collect();
    let mut stream = suite
        .client
        .clone()
        .screen_listings(suite.as_service(
            ServiceName::Enforcement,
            tokio_stream::iter(requests.clone()),
        ))
        .await
        .expect("stream")
        .into_inner();
    let mut answers = Vec::new();
    while let Some(answer) = stream.message().await.expect("message") {
        answers.push(answer);
    }
    let refs: Vec<_> = answers.iter().map(|a| a.r#ref.clone()).collect();
    let sent: Vec<_> = requests.iter().map(|r| r.r#ref.clone()).collect();
    assert_eq!(refs, sent, "one answer per draft, in the order sent");
    for (i, answer) in answers.iter().enumerate() {
        if i % 5 == 4 {
            assert!(answer.error.contains("draft.title"), "{i}: {answer:?}");
            continue;
        }
        let expected = if (i % SELLERS).is_multiple_of(3) {
            pb::ScreeningDecision::Block
        } else {
            pb::ScreeningDecision::Publish
        };
        let screening = answer.screening.as_ref().expect("screening");
        assert_eq!(screening.decision, expected as i32, "{i}: {answer:?}");
    }
    let batches = suite.reputation.batches.lock().expect("lock").clone();
    assert!(
        batches.iter().any(|b| b.len() > 1),
        "drafts of one stream share batch calls: {batches:?}"
    );
    for batch in &batches {
        let mut distinct = batch.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            batch.len(),
            "one look-up per seller per call"
        );
    }
    suite.stop().await;
}
