//! Graceful shutdown of a real process under load: `genuine serve listing`, four clients
//! creating listings continuously, then SIGTERM. Health must turn NOT_SERVING first, calls in
//! flight must finish, new ones must be refused, the process must exit within its grace period,
//! and every screening notice the outbox owes must be in the database, never half-written.
//!
//! Each call is slow on purpose: reputation is a black hole (it accepts TCP and never answers),
//! so every CreateListing waits out its standing deadline and calls are in flight at SIGTERM.

mod load;
mod process;
#[path = "../support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use genuine_contracts::genuine::listing::v1::ListingStatus;
use sea_orm::{ConnectionTrait, Database, Statement};
use tokio::time::Instant;

use load::{Call, Load};
use process::{Listing, black_hole};

/// `GENUINE_LISTING_NOT_SERVING_DELAY`: NOT_SERVING while still accepting.
const NOT_SERVING_DELAY: Duration = Duration::from_millis(800);
/// `GENUINE_LISTING_SHUTDOWN_GRACE`.
const GRACE: Duration = Duration::from_secs(5);
/// `GENUINE_LISTING_STANDING_DEADLINE`: how long each call waits for the black hole.
const CALL_TIME: Duration = Duration::from_millis(1200);
/// Time for the listener to be closed after the delay (scheduling on a loaded machine).
const SLACK: Duration = Duration::from_millis(400);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_drains_refuses_and_loses_no_outbox_message() {
    let reputation = black_hole().await;
    let mut listing = Listing::start(&reputation, NOT_SERVING_DELAY, GRACE, CALL_TIME).await;
    listing.register_brand().await;

    let health = load::watch_health(listing.url());
    let load = Load::start(&listing, 4);
    tokio::time::sleep(CALL_TIME * 2).await;

    let sigterm = listing.terminate();
    let exit = listing.wait_exit(NOT_SERVING_DELAY + GRACE + Duration::from_secs(3));
    let exited = Instant::now();
    let calls = load.stop().await;
    let not_serving = health.stop().await;
    let log = listing.log();

    // The process exits by itself, cleanly, within the delay plus the grace period.
    let status = exit.unwrap_or_else(|| panic!("still running after the grace period\n{log}"));
    assert!(status.success(), "exit status {status}\n{log}");
    assert!(
        exited - sigterm <= NOT_SERVING_DELAY + GRACE + Duration::from_secs(1),
        "took {:?} to exit",
        exited - sigterm
    );

    // Health turned NOT_SERVING after the signal, while the listener still accepted.
    let not_serving = not_serving.expect("health never reported NOT_SERVING");
    assert!(not_serving >= sigterm, "NOT_SERVING before the signal");
    assert!(
        not_serving < sigterm + NOT_SERVING_DELAY,
        "NOT_SERVING {:?} after the signal, past the delay",
        not_serving - sigterm
    );

    // Calls accepted before the signal all finished, including those still running after it.
    let accepted: Vec<&Call> = calls.iter().filter(|c| c.started < sigterm).collect();
    let in_flight = accepted.iter().filter(|c| c.ended > sigterm).count();
    assert!(
        in_flight > 0,
        "no call was in flight at SIGTERM: {calls:#?}"
    );
    for call in &accepted {
        assert!(
            call.outcome.is_ok(),
            "accepted before SIGTERM yet failed: {call:?}\n{log}"
        );
    }

    // Once the listener is closed, new calls are refused: none succeeds, some were tried. A
    // new connection is refused (UNAVAILABLE); a new stream on a connection being drained is
    // refused by GOAWAY, which tonic reports as CANCELLED. Neither ran: the database check
    // below finds no listing the clients were not told of.
    let closed = sigterm + NOT_SERVING_DELAY + SLACK;
    let late: Vec<&Call> = calls.iter().filter(|c| c.started > closed).collect();
    assert!(!late.is_empty(), "no call tried after the listener closed");
    for call in &late {
        assert!(
            matches!(
                call.outcome,
                Err(tonic::Code::Unavailable | tonic::Code::Cancelled)
            ),
            "a call after the listener closed: {call:?}"
        );
    }

    // Every acknowledged listing is stored, every HOLD/BLOCK has its screening notice in the
    // outbox (pending: enforcement is down), and there is nothing the clients were not told of.
    let acknowledged: BTreeMap<String, i32> = calls
        .iter()
        .filter_map(|c| c.outcome.clone().ok())
        .collect();
    let flagged: BTreeSet<&String> = acknowledged
        .iter()
        .filter(|(_, s)| [ListingStatus::Held as i32, ListingStatus::Blocked as i32].contains(s))
        .map(|(id, _)| id)
        .collect();
    assert!(!flagged.is_empty(), "no listing was held or blocked");
    let db = Database::connect(listing.database_url()).await.expect("db");
    let stored: BTreeSet<String> = strings(&db, "SELECT listing_id FROM listings").await;
    let expected: BTreeSet<String> = acknowledged.keys().cloned().collect();
    assert_eq!(stored, expected, "stored listings = acknowledged listings");
    let notices: BTreeSet<String> = strings(
        &db,
        "SELECT key || ' ' || status FROM outbox WHERE key LIKE 'screening/%'",
    )
    .await;
    let noticed: BTreeSet<String> = notices
        .iter()
        .map(|row| {
            let (key, status) = row.split_once(' ').expect("key and status");
            assert!(
                ["pending", "delivered"].contains(&status),
                "notice {key} is {status}"
            );
            key.split('/').nth(1).expect("listing id").to_owned()
        })
        .collect();
    let flagged: BTreeSet<String> = flagged.into_iter().cloned().collect();
    assert_eq!(
        noticed, flagged,
        "one screening notice per held or blocked listing"
    );
}

/// The first column of every row of `sql`, as text.
async fn strings(db: &sea_orm::DatabaseConnection, sql: &str) -> BTreeSet<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("text"))
        .collect()
}
