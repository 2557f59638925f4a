//! Store tests, each on SQLite and (when `GENUINE_TEST_POSTGRES_URL` is set) PostgreSQL.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use genuine_runtime::clock::{Clock as _, ManualClock};
use genuine_runtime::errors::ErrorCode;
use genuine_runtime::storage::testing::TestDatabase;
use sea_orm::{ConnectionTrait, Statement};

use super::*;

mod action_numbers;
mod appeal_review;
mod audit_log;
mod case_decisions;
mod concurrency;
mod counter_notice;
mod intake;
mod measurements;
mod notifiers;
mod reporting;

use crate::domain::audit::Problem;
use crate::domain::case_state::CaseStatus;
use crate::domain::notice::NoticeDraft;
use crate::domain::vocabulary::{AppealOutcome, CaseOutcome, NoticeGround, NoticeSource, Severity};

struct Fixture {
    store: Store,
    clock: ManualClock,
    _db: TestDatabase,
}

async fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for db in TestDatabase::all_migrated::<Migrator>().await {
        let clock = ManualClock::at(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
        );
        let store = Store::new(
            db.db.clone(),
            Arc::new(clock.clone()),
            AuditSigner::generate(),
            Rules::default(),
        );
        out.push(Fixture {
            store,
            clock,
            _db: db,
        });
    }
    out
}

fn rights_holder() -> Actor {
    Actor::new("brand-1", "rights_holder")
}

fn notice(source: NoticeSource, request_id: &str, listings: &[&str]) -> NewNotice {
    NewNotice {
        draft: NoticeDraft {
            request_id: request_id.into(),
            source: Some(source),
            ground: Some(NoticeGround::Counterfeit),
            notifier_id: "brand-1".into(),
            notifier_name: "Acme Legal".into(),
            notifier_email: "legal@acme.example".into(),
            notifier_organization: "Acme".into(),
            listing_ids: listings.iter().map(|s| (*s).to_owned()).collect(),
            explanation: "fake".into(),
            evidence_urls: vec![],
            good_faith_declaration: true,
            jurisdiction: "DE".into(),
            has_automated_detection: false,
        },
        brand_id: None,
        automated_detection: None,
        request_digest: format!("digest-{request_id}"),
        sellers: listings
            .iter()
            .map(|l| ((*l).to_owned(), "seller-1".to_owned()))
            .collect::<HashMap<_, _>>(),
    }
}

/// (kind, key, status) of every outbox row, in order.
async fn outbox(store: &Store) -> Vec<(String, String, String)> {
    let backend = store.db().get_database_backend();
    let rows = store
        .db()
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT kind, \"key\", status FROM outbox ORDER BY id",
        ))
        .await
        .expect("outbox");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "kind").expect("kind"),
                r.try_get::<String>("", "key").expect("key"),
                r.try_get::<String>("", "status").expect("status"),
            )
        })
        .collect()
}

fn kinds(rows: &[(String, String, String)]) -> Vec<&str> {
    rows.iter().map(|(k, _, _)| k.as_str()).collect()
}

async fn fixtures_with(rules: Rules) -> Vec<Fixture> {
    let mut out = Vec::new();
    for mut f in fixtures().await {
        f.store = Store::new(
            f.store.db().clone(),
            Arc::new(f.clock.clone()),
            AuditSigner::generate(),
            rules.clone(),
        );
        out.push(f);
    }
    out
}
