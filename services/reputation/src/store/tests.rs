//! Store tests, each run on SQLite and (with GENUINE_TEST_POSTGRES_URL) PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use genuine_runtime::clock::{ManualClock, from_millis};
use genuine_runtime::errors::{ErrorCode, ServiceResult};
use genuine_runtime::outbox::Wake;
use genuine_runtime::storage::testing::TestDatabase;
use sea_orm::{ConnectionTrait, Statement};

use super::effects::{REINSTATE_LISTINGS, SUSPEND_LISTINGS, SUSPENSION_END};
use super::*;
use crate::domain::{
    Address, Ground, InspectionResult, Registration, Severity, Tier, VerificationStatus,
};

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
}

fn store(test_db: &TestDatabase) -> (Store, ManualClock) {
    let clock = ManualClock::at(start());
    let store = Store::new(
        test_db.db.clone(),
        StandingRules::default(),
        Arc::new(clock.clone()),
        Wake::new(),
    );
    (store, clock)
}

fn registration(country: &str) -> Registration {
    Registration {
        legal_name: "Rossi Pelletteria S.r.l.".into(),
        display_name: "Rossi Bags".into(),
        email: "info@rossi.example.it".into(),
        phone: "+390551234567".into(),
        address: Address {
            lines: vec!["Via Roma 1".into()],
            city: "Firenze".into(),
            region: String::new(),
            postal_code: "50123".into(),
            country_code: country.into(),
        },
        trade_register_name: "Registro delle Imprese".into(),
        trade_register_number: "FI-1".into(),
        id_document_ref: "doc-1".into(),
        payment_account_ref: "acct-1".into(),
        self_certified: true,
    }
}

fn admin() -> Actor {
    Actor::new("admin-1", "admin")
}

async fn register(store: &Store, id: &str, country: &str) -> SellerView {
    let new = NewSeller {
        request_id: format!("req-{id}"),
        seller_id: Some(id.to_owned()),
        registration: registration(country),
    };
    store.register(new, &admin()).await.expect("register")
}

fn violation(
    key: &str,
    seller: &str,
    severity: Severity,
    decided_at: DateTime<Utc>,
) -> NewViolation {
    NewViolation {
        violation_key: key.into(),
        seller_id: seller.into(),
        case_id: format!("case-{key}"),
        listing_id: "l-1".into(),
        ground: Ground::TrademarkCounterfeit,
        severity,
        decided_at,
    }
}

/// (kind, key, status, due_at) of every outbox row, in insertion order.
async fn outbox(store: &Store) -> Vec<(String, String, String, DateTime<Utc>)> {
    let db = store.db();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT kind, \"key\", status, due_at FROM outbox ORDER BY id",
        ))
        .await
        .expect("outbox rows");
    rows.iter()
        .map(|row| {
            (
                row.try_get::<String>("", "kind").expect("kind"),
                row.try_get::<String>("", "key").expect("key"),
                row.try_get::<String>("", "status").expect("status"),
                from_millis(row.try_get::<i64>("", "due_at").expect("due_at")),
            )
        })
        .collect()
}

#[tokio::test]
async fn registration_is_idempotent_on_the_request_id() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, _) = store(&test_db);
        let first = register(&store, "s-1", "IT").await;
        assert_eq!(first.standing.verification, VerificationStatus::Pending);
        assert_eq!(first.registration(), registration("IT"));
        let again = register(&store, "s-1", "IT").await;
        assert_eq!(again.row, first.row, "{:?}", test_db.backend);

        let changed = NewSeller {
            request_id: "req-s-1".into(),
            seller_id: Some("s-1".into()),
            registration: registration("DE"),
        };
        let err = store
            .register(changed, &admin())
            .await
            .expect_err("different content");
        assert_eq!(err.code(), ErrorCode::AlreadyExists);
        assert!(err.message().contains("req-s-1"), "{}", err.message());

        let taken = NewSeller {
            request_id: "req-other".into(),
            seller_id: Some("s-1".into()),
            registration: registration("IT"),
        };
        let err = store.register(taken, &admin()).await.expect_err("id taken");
        assert_eq!(err.code(), ErrorCode::AlreadyExists);

        let generated = NewSeller {
            request_id: "req-gen".into(),
            seller_id: None,
            registration: registration("IT"),
        };
        let made = store
            .register(generated.clone(), &admin())
            .await
            .expect("generated id");
        assert!(made.row.seller_id.starts_with("s-"));
        let replay = store.register(generated, &admin()).await.expect("replay");
        assert_eq!(replay.row.seller_id, made.row.seller_id);
    }
}

#[tokio::test]
async fn verification_changes_status_and_score() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, _) = store(&test_db);
        register(&store, "s-1", "IT").await;
        let verified = store
            .verify(
                "s-1",
                VerificationStatus::Verified,
                "documents checked",
                &admin(),
            )
            .await
            .expect("verify");
        assert_eq!(verified.row.verification_note, "documents checked");
        assert_eq!(
            (verified.standing.score, verified.standing.tier),
            (100, Tier::Trusted)
        );
        let err = store
            .verify("nobody", VerificationStatus::Verified, "", &admin())
            .await
            .expect_err("unknown");
        assert_eq!(err.code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn three_strikes_suspend_with_effects_and_a_deadline_in_one_transaction() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        register(&store, "s-1", "IT").await;
        store
            .verify("s-1", VerificationStatus::Verified, "", &admin())
            .await
            .expect("verify");
        let mut standings = Vec::new();
        for key in ["v-1", "v-2", "v-3"] {
            clock.advance(TimeDelta::days(1));
            let (_, standing) = store
                .record_violation(
                    violation(key, "s-1", Severity::Minor, clock_now(&clock)),
                    &admin(),
                )
                .await
                .expect("record");
            standings.push((standing.active_strikes, standing.warned, standing.suspended));
        }
        assert_eq!(
            standings,
            [(1, false, false), (2, true, false), (3, true, true)]
        );
        let standing = store.standing("s-1").await.expect("standing");
        assert_eq!(standing.tier, Tier::Suspended);
        let (suspension_id, ends_at) = standing.suspension.clone().expect("suspension");
        assert_eq!(ends_at, clock_now(&clock) + TimeDelta::days(30));

        let rows = outbox(&store).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            (rows[0].0.as_str(), rows[0].1.as_str()),
            (SUSPEND_LISTINGS, suspension_id.as_str())
        );
        assert_eq!((rows[1].0.as_str(), rows[1].3), (SUSPENSION_END, ends_at));

        // A replay changes nothing; other content under the same key is refused.
        let replay = violation("v-3", "s-1", Severity::Minor, clock_now(&clock));
        let (_, again) = store
            .record_violation(replay, &admin())
            .await
            .expect("replay");
        assert_eq!(again, standing);
        let other = violation("v-3", "s-1", Severity::Critical, clock_now(&clock));
        let err = store
            .record_violation(other, &admin())
            .await
            .expect_err("reused key");
        assert_eq!(err.code(), ErrorCode::FailedPrecondition);
        assert!(err.message().contains("severity"), "{}", err.message());
        assert_eq!(outbox(&store).await.len(), 2);
    }
}

fn clock_now(clock: &ManualClock) -> DateTime<Utc> {
    genuine_runtime::clock::Clock::now(clock)
}

#[tokio::test]
async fn unknown_sellers_and_keys_are_not_found() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        let err = store
            .record_violation(
                violation("v-1", "ghost", Severity::Minor, clock_now(&clock)),
                &admin(),
            )
            .await
            .expect_err("unknown seller");
        assert_eq!(err.code(), ErrorCode::NotFound);
        let err = store
            .retract_violation("v-404", "appeal")
            .await
            .expect_err("unknown key");
        assert_eq!(err.code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn retraction_restores_standing_and_lifts_a_strike_suspension() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        register(&store, "s-1", "IT").await;
        let mut before_third = None;
        for key in ["v-1", "v-2", "v-3"] {
            if key == "v-3" {
                before_third = Some(store.standing("s-1").await.expect("standing"));
            }
            store
                .record_violation(
                    violation(key, "s-1", Severity::Major, clock_now(&clock)),
                    &admin(),
                )
                .await
                .expect("record");
        }
        let (suspension_id, _) = store
            .standing("s-1")
            .await
            .expect("standing")
            .suspension
            .expect("suspended");
        let (row, after) = store
            .retract_violation("v-3", "appeal won")
            .await
            .expect("retract");
        assert_eq!(row.state, "retracted");
        assert_eq!(
            Some(after.clone()),
            before_third,
            "exactly the standing before the third strike"
        );
        let (_, repeat) = store
            .retract_violation("v-3", "again")
            .await
            .expect("idempotent");
        assert_eq!(repeat, after);

        let rows = outbox(&store).await;
        let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.2.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (SUSPEND_LISTINGS, "pending"),
                (SUSPENSION_END, "cancelled"),
                (REINSTATE_LISTINGS, "pending")
            ]
        );
        assert!(rows.iter().all(|r| r.1 == suspension_id));
    }
}

#[tokio::test]
async fn manual_suspension_ends_by_reinstatement_or_by_its_deadline() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        register(&store, "s-1", "IT").await;
        let until = clock_now(&clock) + TimeDelta::days(10);
        let suspended = store
            .suspend("s-1", "fraud", Some(until), &admin())
            .await
            .expect("suspend");
        assert!(suspended.suspended);
        let err = store
            .suspend("s-1", "again", None, &admin())
            .await
            .expect_err("already");
        assert_eq!(err.code(), ErrorCode::FailedPrecondition);
        let reinstated = store
            .reinstate("s-1", "appeal won")
            .await
            .expect("reinstate");
        assert!(!reinstated.suspended);
        let err = store
            .reinstate("s-1", "again")
            .await
            .expect_err("not suspended");
        assert_eq!(err.code(), ErrorCode::FailedPrecondition);

        let standing = store
            .suspend("s-1", "second", None, &admin())
            .await
            .expect("suspend again");
        let (id, ends_at) = standing.suspension.expect("suspension");
        assert_eq!(ends_at, clock_now(&clock) + TimeDelta::days(30));
        let early = store.end_suspension(&id).await.expect_err("not over yet");
        assert_eq!(early.code(), ErrorCode::FailedPrecondition);
        clock.set(ends_at);
        assert!(store.end_suspension(&id).await.expect("ended"));
        assert!(!store.end_suspension(&id).await.expect("idempotent"));
        assert!(!store.standing("s-1").await.expect("standing").suspended);
        let reinstates = outbox(&store)
            .await
            .into_iter()
            .filter(|r| r.0 == REINSTATE_LISTINGS)
            .count();
        assert_eq!(reinstates, 2);
        let err = store
            .suspend("s-1", "past", Some(clock_now(&clock)), &admin())
            .await
            .expect_err("past");
        assert_eq!(err.field_violations()[0].field, "until");
    }
}

#[tokio::test]
async fn inspections_are_idempotent_and_failures_weigh_like_major() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        register(&store, "s-1", "IT").await;
        store
            .verify("s-1", VerificationStatus::Verified, "", &admin())
            .await
            .expect("verify");
        let new = NewInspection {
            request_id: "insp-req-1".into(),
            seller_id: "s-1".into(),
            agency: "SAMR".into(),
            product: "handbag".into(),
            batch: "B-7".into(),
            result: InspectionResult::Fail,
            inspected_at: clock_now(&clock),
            report_ref: "r-1".into(),
        };
        let (first, standing) = store
            .record_inspection(new.clone(), &admin())
            .await
            .expect("record");
        assert_eq!(standing.score, 75);
        let (again, _) = store
            .record_inspection(new.clone(), &admin())
            .await
            .expect("replay");
        assert_eq!(again, first);
        let other = NewInspection {
            result: InspectionResult::Pass,
            ..new
        };
        let err = store
            .record_inspection(other, &admin())
            .await
            .expect_err("reused");
        assert_eq!(err.code(), ErrorCode::AlreadyExists);
    }
}

#[tokio::test]
async fn lists_page_through_every_row_once() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        for (id, country) in [("s-a", "IT"), ("s-b", "DE"), ("s-c", "IT"), ("s-d", "IT")] {
            register(&store, id, country).await;
        }
        store
            .verify("s-c", VerificationStatus::Verified, "", &admin())
            .await
            .expect("verify");
        for day in 0..5 {
            let decided = clock_now(&clock) - TimeDelta::days(day * 60);
            store
                .record_violation(
                    violation(&format!("v-{day}"), "s-a", Severity::Minor, decided),
                    &admin(),
                )
                .await
                .expect("record");
        }

        let mut seen = Vec::new();
        let mut page = PageRequest::first(2);
        loop {
            let got = store.list_violations("s-a", &page).await.expect("page");
            seen.extend(got.items.iter().map(|v| v.violation_key.clone()));
            if got.next_page_token.is_empty() {
                break;
            }
            page = PageRequest::parse(2, &got.next_page_token).expect("token");
        }
        assert_eq!(seen, ["v-0", "v-1", "v-2", "v-3", "v-4"], "newest first");

        let italians = SellerFilter {
            country_code: Some("IT".into()),
            ..SellerFilter::default()
        };
        let first = store
            .list_sellers(&italians, &PageRequest::first(2))
            .await
            .expect("page 1");
        let ids: Vec<&str> = first
            .items
            .iter()
            .map(|s| s.row.seller_id.as_str())
            .collect();
        assert_eq!(ids, ["s-a", "s-c"]);
        let next = PageRequest::parse(2, &first.next_page_token).expect("token");
        let second = store.list_sellers(&italians, &next).await.expect("page 2");
        let ids: Vec<&str> = second
            .items
            .iter()
            .map(|s| s.row.seller_id.as_str())
            .collect();
        assert_eq!((ids, second.next_page_token.as_str()), (vec!["s-d"], ""));

        let trusted = SellerFilter {
            tier: Some(Tier::Trusted),
            ..SellerFilter::default()
        };
        let got = store
            .list_sellers(&trusted, &PageRequest::first(10))
            .await
            .expect("by tier");
        let ids: Vec<&str> = got.items.iter().map(|s| s.row.seller_id.as_str()).collect();
        assert_eq!(ids, ["s-c"]);

        let standings = store
            .standings(&["s-d".into(), "ghost".into(), "s-a".into(), "s-d".into()])
            .await
            .expect("batch");
        let ids: Vec<&str> = standings.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["s-d", "s-a"], "request order, known ones, once");
    }
}

#[tokio::test]
async fn concurrent_changes_to_one_seller_suspend_once_and_register_once() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let (store, clock) = store(&test_db);
        let actor = admin();
        register(&store, "s-1", "IT").await;
        for key in ["v-1", "v-2"] {
            store
                .record_violation(
                    violation(key, "s-1", Severity::Minor, clock_now(&clock)),
                    &actor,
                )
                .await
                .expect("record");
        }
        // Two third strikes at once: the seller row lock lets only the first suspend.
        let (a, b) = tokio::join!(
            store.record_violation(
                violation("v-3a", "s-1", Severity::Minor, clock_now(&clock)),
                &actor
            ),
            store.record_violation(
                violation("v-3b", "s-1", Severity::Minor, clock_now(&clock)),
                &actor
            ),
        );
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        let suspensions = outbox(&store)
            .await
            .into_iter()
            .filter(|r| r.0 == SUSPEND_LISTINGS)
            .count();
        assert_eq!(suspensions, 1, "{:?}", test_db.backend);

        // The same registration twice at once: one seller, both calls answered with it.
        let new = NewSeller {
            request_id: "req-race".into(),
            seller_id: None,
            registration: registration("FR"),
        };
        let (a, b) = tokio::join!(
            store.register(new.clone(), &actor),
            store.register(new, &actor)
        );
        let (a, b) = (a.expect("first"), b.expect("second"));
        assert_eq!(a.row.seller_id, b.row.seller_id, "{:?}", test_db.backend);

        // One request id used for two sellers at once: one is recorded, the other is told why.
        register(&store, "s-2", "IT").await;
        let inspection = |seller: &str| NewInspection {
            request_id: "insp-race".into(),
            seller_id: seller.into(),
            agency: "AGCM".into(),
            product: "bag".into(),
            batch: String::new(),
            result: InspectionResult::Pass,
            inspected_at: clock_now(&clock),
            report_ref: String::new(),
        };
        let (a, b) = tokio::join!(
            store.record_inspection(inspection("s-1"), &actor),
            store.record_inspection(inspection("s-2"), &actor)
        );
        let outcome = |r: &ServiceResult<_>| r.as_ref().map_or_else(|e| e.code().name(), |_| "OK");
        let mut outcomes = [outcome(&a), outcome(&b)];
        outcomes.sort_unstable();
        assert_eq!(outcomes, ["ALREADY_EXISTS", "OK"], "{:?}", test_db.backend);
    }
}
