//! A peer down for a minute (issue 9, faults): callers degrade as designed instead of failing,
//! effects bound for the peer wait in the outbox with growing gaps between attempts, and when the
//! peer is back on its port the backlog drains with every effect applied exactly once.

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1::CaseOutcome;
use genuine_contracts::genuine::listing::v1::{ListingStatus, SignalCode};
use genuine_enforcement::store::effects::kind;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::gateway::Gateway;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Service, Suite, authed, eventually};
use tokio::time::Instant;

use crate::db::{self, OutboxRow};
use crate::seconds_from_env;

/// How long the peer stays down; the issue asks for a minute.
fn downtime() -> Duration {
    seconds_from_env("GENUINE_RESILIENCE_DOWNTIME_SECS", 60)
}

/// Standing look-ups get time enough on a loaded machine: these tests are about a peer that is
/// down (refused at once), not a slow one.
fn settings() -> Vec<(String, String)> {
    vec![(
        "GENUINE_LISTING_STANDING_DEADLINE".to_owned(),
        "2s".to_owned(),
    )]
}

/// A seller with `count` active listings, each under a rights holder's notice (filed while
/// everything runs: a notice needs listing, synchronously). Returns (listing, case) pairs.
async fn listings_under_notice(suite: &Suite, seller: &str, count: usize) -> Vec<(String, String)> {
    register_verified_seller(suite, seller, "DE").await;
    register_brand(suite, "rh-luxe", "Luxe Paris", &[], 1000).await;
    let mut pairs = Vec::new();
    for n in 1..=count {
        let title = format!("Leather handbag model {n}");
        let listing = create_listing(suite, seller, &title, 900).await;
        assert_eq!(listing.status, ListingStatus::Active as i32, "{listing:?}");
        let notice = rights_holder_notice(
            suite,
            "rh-luxe",
            &[&listing.listing_id],
            &format!("{seller}-n{n}"),
        )
        .await;
        pairs.push((listing.listing_id, notice.case_ids[0].clone()));
    }
    pairs
}

/// The most attempts a message may have made after `elapsed` of failures while backing off
/// (base 200 ms, doubling, full jitter): about log2 of the number of base periods, plus a wide
/// margin for lucky short draws. Retrying at every 200 ms poll would be `elapsed / 200 ms`.
fn attempts_bound(elapsed: Duration) -> i32 {
    let periods = elapsed.as_secs_f64() / 0.2;
    // Truncation is fine: a bound, and tiny.
    #[allow(clippy::cast_possible_truncation)]
    let log = periods.log2().ceil() as i32;
    log.max(1) + 8
}

/// Keeps `down` stopped until `downtime` after `down_since`, checking halfway and at the end
/// that the `expected` messages of `kind` in `queue`'s outbox wait and back off; then starts
/// `down` again on its port and waits for every one of them to be delivered. Returns how long
/// the drain took.
async fn ride_out(
    suite: &mut Suite,
    down: Service,
    queue: Service,
    kind: &str,
    expected: usize,
    down_since: Instant,
) -> Duration {
    let downtime = downtime();
    tokio::time::sleep_until(down_since + downtime / 2).await;
    let halfway = waiting(suite, queue, kind, expected, downtime / 2).await;
    tokio::time::sleep_until(down_since + downtime).await;
    let end = waiting(suite, queue, kind, expected, downtime).await;
    for (before, after) in halfway.iter().zip(&end) {
        // In the second half the gaps are already long: a few more attempts at most.
        assert!(
            after.attempts - before.attempts <= 8,
            "attempts grow slowly, not every poll: {before:?} then {after:?}"
        );
        println!(
            "{kind} {}: {} attempts after {:?} down ({} at half time); last error: {}",
            after.key,
            after.attempts,
            downtime,
            before.attempts,
            after.last_error.as_deref().unwrap_or_default()
        );
    }

    let latest_due = end.iter().map(|row| row.due_at).max().unwrap_or(0);
    suite.restart(down).await.expect("back on the same port");
    let back = Instant::now();
    // Nothing is retried before its due time: the drain may wait for the latest one.
    let until_due = u64::try_from(latest_due - db::now_millis()).unwrap_or(0);
    let timeout = Duration::from_millis(until_due) + EFFECT_TIMEOUT;
    let db = &suite.database(queue).db;
    eventually(&format!("every {kind} delivered"), timeout, || async {
        let rows = db::outbox(db, kind).await;
        rows.iter()
            .all(|row| row.status == db::DELIVERED)
            .then_some(())
    })
    .await;
    let drained = back.elapsed();
    println!(
        "{} back: {expected} queued {kind} delivered in {drained:?} (latest due {until_due} ms after the restart)",
        down.name()
    );
    drained
}

/// The `kind` messages, checked to be waiting: `expected` of them, pending, failed at least
/// once, and not retried more often than backing off allows after `elapsed`.
async fn waiting(
    suite: &Suite,
    queue: Service,
    kind: &str,
    expected: usize,
    elapsed: Duration,
) -> Vec<OutboxRow> {
    let rows = db::outbox(&suite.database(queue).db, kind).await;
    assert_eq!(rows.len(), expected, "{rows:?}");
    for row in &rows {
        assert_eq!(
            row.status,
            db::PENDING,
            "queued, neither lost nor parked: {row:?}"
        );
        assert!(row.last_error.is_some(), "tried and failed: {row:?}");
        assert!(row.attempts >= 2, "retried: {row:?}");
        assert!(
            row.attempts <= attempts_bound(elapsed),
            "backs off (at most {} attempts after {elapsed:?}): {row:?}",
            attempts_bound(elapsed)
        );
    }
    rows
}

#[tokio::test]
async fn reputation_down_for_a_minute_holds_listings_queues_violations_and_catches_up_once() {
    let mut suite = Suite::start(clock::system(), settings())
        .await
        .expect("suite");
    let gateway = Gateway::start(&suite).await;
    let cases = listings_under_notice(&suite, "seller-d", 2).await;

    suite
        .stop(Service::Reputation)
        .await
        .expect("stop reputation");
    let down_since = Instant::now();

    // Screening cannot learn the seller's standing: the listing is held, not refused.
    let held = create_listing(&suite, "seller-d", "Leather handbag, brown", 900).await;
    assert_eq!(held.status, ListingStatus::Held as i32, "{held:?}");
    let signals = held
        .screening
        .as_ref()
        .map(|s| &s.signals[..])
        .unwrap_or_default();
    assert!(
        signals
            .iter()
            .any(|s| s.code == SignalCode::StandingUnavailable as i32),
        "held for the missing standing: {signals:?}"
    );

    // A read that needs reputation now is UNAVAILABLE (503 with Retry-After), not INTERNAL.
    let portal = suite.portal_token("regulator-de", "DE");
    let trader = gateway.get("/v1/sellers/seller-d", Some(&portal)).await;
    assert_eq!(trader.status, 503, "{trader:?}");
    assert!(trader.header("retry-after").is_some(), "{trader:?}");

    // Upholds: the takedowns reach listing; the violations wait for reputation.
    for (listing_id, case_id) in &cases {
        decide(&suite, "reviewer-1", case_id, CaseOutcome::Uphold).await;
        wait_listing_status(&suite, listing_id, ListingStatus::TakenDown).await;
    }

    ride_out(
        &mut suite,
        Service::Reputation,
        Service::Enforcement,
        kind::RECORD_VIOLATION,
        cases.len(),
        down_since,
    )
    .await;

    // Exactly once: one violation row per case, two strikes, and the API agrees.
    let reputation_db = &suite.database(Service::Reputation).db;
    assert_eq!(
        db::count(reputation_db, "violations WHERE seller_id = 'seller-d'").await,
        2
    );
    assert_eq!(violations(&suite, "seller-d").await.len(), 2);
    assert_eq!(standing(&suite, "seller-d").await.active_strikes, 2);
    // The held listing waits for review; nothing was lost while reputation was away.
    assert_eq!(
        get_listing(&suite, &held.listing_id).await.status,
        ListingStatus::Held as i32
    );
    assert_eq!(
        gateway
            .get("/v1/sellers/seller-d", Some(&portal))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn listing_down_for_a_minute_refuses_notices_queues_takedowns_and_catches_up_once() {
    let mut suite = Suite::start(clock::system(), settings())
        .await
        .expect("suite");
    let cases = listings_under_notice(&suite, "seller-t", 2).await;

    suite.stop(Service::Listing).await.expect("stop listing");
    let down_since = Instant::now();

    // A notice must name listings that exist, which only listing can say: UNAVAILABLE.
    let rights_holder = suite.token(Role::RightsHolder, "rh-luxe");
    let mut enforcement = suite.enforcement_client();
    let refused = enforcement
        .submit_notice(authed(
            rights_holder_notice_request("rh-luxe", &[&cases[0].0], "seller-t-while-down"),
            &rights_holder,
        ))
        .await
        .expect_err("listing is down");
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");

    // Upholds: the violations reach reputation; the takedowns wait for listing.
    for (_, case_id) in &cases {
        decide(&suite, "reviewer-1", case_id, CaseOutcome::Uphold).await;
    }
    wait_strikes(&suite, "seller-t", 2).await;

    ride_out(
        &mut suite,
        Service::Listing,
        Service::Enforcement,
        kind::TAKE_DOWN,
        cases.len(),
        down_since,
    )
    .await;

    let listing_db = &suite.database(Service::Listing).db;
    for (listing_id, _) in &cases {
        wait_listing_status(&suite, listing_id, ListingStatus::TakenDown).await;
        let measures = format!(
            "listing_measures WHERE listing_id = '{listing_id}' AND kind = 'case_takedown'"
        );
        assert_eq!(db::count(listing_db, &measures).await, 1, "{listing_id}");
    }
    // The notice refused during the outage goes through now.
    enforcement
        .submit_notice(authed(
            rights_holder_notice_request("rh-luxe", &[&cases[0].0], "seller-t-after"),
            &rights_holder,
        ))
        .await
        .expect("notice once listing is back");
}
