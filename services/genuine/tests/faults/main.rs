//! Faults with real processes: listing, seller-reputation and enforcement run as `genuine serve`
//! child processes on a private PostgreSQL 15 cluster while a handful of platform clients run
//! mixed flows (listings screened and held, notices, decisions, counter-notices with windows that
//! expire or meet legal action, appeals, three-strike suspensions). Meanwhile each service is
//! SIGKILLed and restarted several times and PostgreSQL is stopped once. Clients retry through
//! the outages with the same idempotency keys. Afterwards, with every outbox drained, every
//! acknowledged step and each of its effects must be there exactly once: nothing lost, nothing
//! duplicated, and the audit log verifies.
//!
//! `GENUINE_FAULT_FLOWS` sets the number of flows: 800 by default, what fits the 4-minute CI budget
//! on a loaded 2-core machine; the documented manual run is `GENUINE_FAULT_FLOWS=2000`.
//! `GENUINE_FAULT_SEED` sets the seed, `GENUINE_FAULT_LOG_DIR` keeps the processes' logs.

mod calls;
mod chaos;
mod flows;
mod plan;
mod postgres;
mod services;
#[path = "../support/mod.rs"]
mod support;
mod tables;
mod verify;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1 as enf;
use genuine_runtime::auth::Role;
use genuine_runtime::testing::tool_tests_enabled;
use tokio::time::Instant;

use chaos::Chaos;
use flows::Client;
use plan::{Plan, Record};
use postgres::PrivatePostgres;
use services::{Services, Svc};
use support::grpc::authed;

/// Platform clients running flows at once.
const CLIENTS: usize = 6;
/// Default number of flows (CI); 2,000 is the manual run.
const DEFAULT_FLOWS: usize = 800;
/// How long the outboxes may take to drain after the last fault (a killed process's claims come
/// back after their 30 s lease; retries back off).
const DRAIN_LIMIT: Duration = Duration::from_secs(240);

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| {
        v.parse().unwrap_or_else(|_| panic!("{name}={v:?}"))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_services_and_a_stopped_database_lose_and_duplicate_no_effect() {
    if !tool_tests_enabled("PostgreSQL 15 server binaries (initdb, pg_ctl)") {
        return;
    }
    assert!(
        PrivatePostgres::available(),
        "GENUINE_TEST_TOOLS is set but {} has no initdb/pg_ctl",
        postgres::BIN
    );
    let flows = usize::try_from(setting("GENUINE_FAULT_FLOWS", DEFAULT_FLOWS as u64))
        .unwrap_or(DEFAULT_FLOWS);
    let seed = setting("GENUINE_FAULT_SEED", 0x0067_656E_7569_6E65);
    let started = Instant::now();

    let postgres = Arc::new(PrivatePostgres::start());
    let services = Services::start(&postgres).await;
    let endpoints = services.endpoints().clone();
    let sellers: Vec<String> = (0..plan::SELLERS).map(plan::seller).collect();
    flows::register_sellers(&endpoints, &sellers).await;

    // The run: clients take flows in turn while the chaos fires its faults.
    let completed = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let kills_per_service = (flows / 250).max(3);
    let chaos = tokio::spawn(Chaos::plan(seed, flows, kills_per_service).run(
        services,
        postgres.clone(),
        completed.clone(),
        done.clone(),
    ));
    let next = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, completed, endpoints) = (next.clone(), completed.clone(), endpoints.clone());
            tokio::spawn(async move {
                let client = Client::new(&endpoints);
                let mut records = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= flows {
                        return records;
                    }
                    records.push(client.run(Plan::draw(seed, index)).await);
                    completed.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    let mut records: Vec<Record> = Vec::new();
    for client in clients {
        records.extend(client.await.expect("client"));
    }
    done.store(true, Ordering::SeqCst);
    let flows_done = Instant::now();
    let (services, faults) = chaos.await.expect("chaos");

    // Every process healthy, every outbox drained (deadlines weeks ahead aside).
    let databases = [
        Services::database(&postgres, Svc::Listing).await,
        Services::database(&postgres, Svc::Reputation).await,
        Services::database(&postgres, Svc::Enforcement).await,
    ];
    let drain_deadline = Instant::now() + DRAIN_LIMIT;
    loop {
        let mut owed = Vec::new();
        for db in &databases {
            owed.extend(tables::outbox_owed(db).await);
        }
        if owed.is_empty() {
            break;
        }
        let parked: Vec<&String> = owed.iter().filter(|o| o.starts_with("parked")).collect();
        assert!(parked.is_empty(), "parked outbox messages: {parked:#?}");
        assert!(
            Instant::now() < drain_deadline,
            "outboxes not drained after {DRAIN_LIMIT:?}: {owed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let drained = Instant::now();

    let [listing_db, reputation_db, enforcement_db] = &databases;
    let enforcement = tables::Enforcement::read(enforcement_db).await;
    let listing = tables::Listing::read(listing_db).await;
    let reputation = tables::Reputation::read(reputation_db).await;
    let mut tally = verify::check(&records, &enforcement, &listing, &reputation);

    // The audit log verifies as a whole.
    let mut audit = enf::enforcement_service_client::EnforcementServiceClient::new(
        endpoints.channel(Svc::Enforcement),
    );
    let verified = audit
        .verify_audit_log(authed(
            enf::VerifyAuditLogRequest::default(),
            &endpoints.token(Role::Admin, "admin"),
        ))
        .await
        .expect("VerifyAuditLog")
        .into_inner();
    assert!(verified.ok, "audit log does not verify: {verified:?}");
    assert_eq!(
        usize::try_from(verified.entries_checked).unwrap_or(0),
        enforcement.audit.len(),
        "audit entries checked"
    );
    tally.effects += 1;
    drop(services);

    let upheld = records
        .iter()
        .filter(|r| r.plan.outcome == enf::CaseOutcome::Uphold)
        .count();
    let suspended = reputation.suspensions.iter().filter(|s| s.2).count();
    println!(
        "faults: {flows} flows ({} automated, {upheld} upheld, {} counter-notices, {} appeals) by \
         {CLIENTS} clients, seed {seed:#x}; kills listing {} reputation {} enforcement {}; \
         PostgreSQL stops {}; client retries {}; effects checked {}; sellers suspended {suspended}; \
         audit entries {}; lost = {}, duplicated = {}; flows {:.1?}, drain {:.1?}, total {:.1?}",
        records.iter().filter(|r| r.automated).count(),
        records.iter().filter(|r| r.counter_notice).count(),
        records.iter().filter(|r| r.appeal.is_some()).count(),
        faults.kills[0],
        faults.kills[1],
        faults.kills[2],
        faults.database_stops,
        calls::RETRIES.load(Ordering::Relaxed),
        tally.effects,
        verified.entries_checked,
        tally.lost,
        tally.duplicated,
        flows_done - started,
        drained - flows_done,
        started.elapsed(),
    );
    for problem in tally.problems.iter().take(40) {
        println!("  {problem}");
    }
    assert_eq!(records.len(), flows, "every flow completed");
    assert!(
        faults.kills.iter().all(|k| *k >= 3),
        "kills: {:?}",
        faults.kills
    );
    assert_eq!(faults.database_stops, 1);
    assert_eq!(tally.lost, 0, "lost effects: {:#?}", tally.problems);
    assert_eq!(
        tally.duplicated, 0,
        "duplicated effects: {:#?}",
        tally.problems
    );
}
