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

#[tokio::test]
async fn a_notice_is_idempotent_on_its_request_id_and_opens_one_case_per_listing() {
    for f in fixtures().await {
        let first = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("stored");
        assert!(!first.replay);
        let cases = parse_list(&first.notice.case_ids);
        assert_eq!(cases.len(), 2);
        let again = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("replay");
        assert!(again.replay);
        assert_eq!(again.notice.notice_id, first.notice.notice_id);
        let mut changed = notice(NoticeSource::RightsHolder, "r1", &["l-3"]);
        changed.request_digest = "other".into();
        let conflict = f
            .store
            .submit_notice(&rights_holder(), changed)
            .await
            .expect_err("reused id");
        assert_eq!(conflict.code(), ErrorCode::AlreadyExists);

        // A second notice on l-1 joins its open case; l-3 gets a new one.
        let consumer = Actor::new("buyer-9", "consumer");
        let mut second = notice(NoticeSource::Consumer, "c1", &["l-1", "l-3"]);
        second.draft.notifier_id = "buyer-9".into();
        let second = f
            .store
            .submit_notice(&consumer, second)
            .await
            .expect("stored");
        let second_cases = parse_list(&second.notice.case_ids);
        assert_eq!(second_cases[0], cases[0]);
        assert_ne!(second_cases[1], cases[1]);
        let joined = f.store.case(&cases[0]).await.expect("case");
        assert_eq!(joined.notice_ids.len(), 2);
        assert_eq!(joined.notifier_ids, ["brand-1", "buyer-9"]);
        let kinds: Vec<_> = joined.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["OPENED", "NOTICE_JOINED"]);
        // Neither a consumer nor an unproven rights holder takes anything down on receipt.
        assert!(outbox(&f.store).await.is_empty());
    }
}

#[tokio::test]
async fn a_regulator_notice_takes_the_listing_down_on_receipt_with_a_statement() {
    for f in fixtures().await {
        let regulator = Actor::new("bnetza", "regulator");
        let submitted = f
            .store
            .submit_notice(&regulator, notice(NoticeSource::Regulator, "g1", &["l-1"]))
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        let view = f.store.case(&case_id).await.expect("case");
        assert_eq!(view.case.status, "OPEN");
        assert!(view.case.listing_down);
        assert_eq!(view.case.priority, 1);
        assert_eq!(view.statement_ids.len(), 1);
        let rows = outbox(&f.store).await;
        assert_eq!(
            rows,
            [(
                "enforcement.take_down".to_owned(),
                format!("{case_id}/take_down/1"),
                "pending".to_owned()
            )]
        );
        let statement = f
            .store
            .statement(&view.statement_ids[0])
            .await
            .expect("statement");
        assert!(
            statement
                .body
                .contains("DECISION_VISIBILITY_CONTENT_DISABLED"),
            "{}",
            statement.body
        );
        assert!(
            !statement.body.contains("Acme"),
            "no personal data: {}",
            statement.body
        );

        // Upholding does not take it down twice.
        let reviewer = Actor::new("rev-1", "reviewer");
        f.store
            .decide_case(
                &reviewer,
                &case_id,
                CaseOutcome::Uphold,
                "confirmed",
                Some(Severity::High),
            )
            .await
            .expect("upheld");
        let rows = outbox(&f.store).await;
        assert_eq!(
            kinds(&rows),
            [
                "enforcement.take_down",
                "enforcement.record_violation",
                "enforcement.buyer_notification"
            ]
        );
    }
}

#[tokio::test]
async fn rejecting_an_automated_case_restores_the_held_listing() {
    for f in fixtures().await {
        let listing = Actor::new("listing", "service:listing");
        let mut automated = notice(NoticeSource::AutomatedDetection, "a1", &["l-1"]);
        automated.draft.notifier_id = String::new();
        let n = f
            .store
            .submit_notice(&listing, automated)
            .await
            .expect("stored");
        let case_id = parse_list(&n.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Reject,
                "false positive",
                None,
            )
            .await
            .expect("rejected");
        assert_eq!(
            outbox(&f.store).await,
            [(
                "enforcement.restore".to_owned(),
                format!("{case_id}/restore/1"),
                "pending".to_owned()
            )]
        );
    }
}

#[tokio::test]
async fn counter_notice_window_expiry_restores_and_retracts() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        let reviewer = Actor::new("rev-1", "reviewer");
        let seller = Actor::new("seller-1", "seller");

        let early = f
            .store
            .submit_counter_notice(&seller, &case_id, "genuine goods", &[])
            .await
            .expect_err("not yet");
        assert_eq!(early.code(), ErrorCode::FailedPrecondition);
        assert!(early.message().contains("OPEN"), "{}", early.message());

        f.store
            .decide_case(
                &reviewer,
                &case_id,
                CaseOutcome::Uphold,
                "fake",
                Some(Severity::Medium),
            )
            .await
            .expect("upheld");
        let stranger = Actor::new("seller-2", "seller");
        let denied = f
            .store
            .submit_counter_notice(&stranger, &case_id, "x", &[])
            .await
            .expect_err("not theirs");
        assert_eq!(denied.code(), ErrorCode::PermissionDenied);
        let pending = f
            .store
            .submit_counter_notice(&seller, &case_id, "genuine goods", &[])
            .await
            .expect("filed");
        assert_eq!(pending.case.status, "COUNTER_NOTICE_PENDING");
        let window_end = pending.case.window_end_at.expect("window");
        assert_eq!(
            window_end - pending.case.counter_at.expect("filed"),
            Duration::days(15).num_milliseconds()
        );
        assert!(
            outbox(&f.store)
                .await
                .iter()
                .any(|(k, key, s)| k == "enforcement.counter_notice_window"
                    && key == &case_id
                    && s == "pending")
        );

        f.clock.advance(Duration::days(15));
        let lifted = f
            .store
            .expire_window(&case_id)
            .await
            .expect("expired")
            .expect("was pending");
        assert_eq!(lifted.case.status, "MEASURES_LIFTED");
        assert!(!lifted.case.listing_down && !lifted.case.violation_recorded);
        let rows = outbox(&f.store).await;
        assert!(
            kinds(&rows).ends_with(&["enforcement.restore", "enforcement.retract_violation"]),
            "{rows:?}"
        );
        // A repeated firing changes nothing.
        assert!(
            f.store
                .expire_window(&case_id)
                .await
                .expect("no-op")
                .is_none()
        );
        let late = f
            .store
            .confirm_legal_action(&rights_holder(), false, &case_id, "LG Köln", "33 O 1/26")
            .await
            .expect_err("too late");
        assert_eq!(late.code(), ErrorCode::FailedPrecondition);
    }
}

#[tokio::test]
async fn legal_action_in_time_keeps_measures_and_cancels_the_deadline() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Uphold,
                "fake",
                None,
            )
            .await
            .expect("upheld");
        f.store
            .submit_counter_notice(&Actor::new("seller-1", "seller"), &case_id, "genuine", &[])
            .await
            .expect("filed");
        let other = Actor::new("brand-2", "rights_holder");
        let denied = f
            .store
            .confirm_legal_action(&other, false, &case_id, "court", "ref")
            .await
            .expect_err("not a notifier");
        assert_eq!(denied.code(), ErrorCode::PermissionDenied);
        f.clock.advance(Duration::days(14));
        let kept = f
            .store
            .confirm_legal_action(&rights_holder(), false, &case_id, "LG Köln", "33 O 1/26")
            .await
            .expect("in time");
        assert_eq!(kept.case.status, "MEASURES_MAINTAINED");
        assert!(kept.case.listing_down);
        let window = outbox(&f.store)
            .await
            .into_iter()
            .find(|(k, _, _)| k == "enforcement.counter_notice_window")
            .expect("row");
        assert_eq!(window.2, "cancelled");
        assert!(
            f.store
                .expire_window(&case_id)
                .await
                .expect("no-op")
                .is_none()
        );
    }
}

#[tokio::test]
async fn an_appeal_reversal_undoes_every_effect_and_needs_another_reviewer() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        let first = Actor::new("rev-1", "reviewer");
        f.store
            .decide_case(&first, &case_id, CaseOutcome::Uphold, "fake", None)
            .await
            .expect("upheld");
        let seller = Actor::new("seller-1", "seller");
        let filing = AppealFiling {
            request_id: "a1".into(),
            case_id: case_id.clone(),
            grounds: "invoice attached".into(),
        };
        let appeal = f.store.file_appeal(&seller, &filing).await.expect("filed");
        assert_eq!(
            f.store
                .file_appeal(&seller, &filing)
                .await
                .expect("replay")
                .appeal_id,
            appeal.appeal_id
        );
        let notifier_appeal = AppealFiling {
            request_id: "a2".into(),
            ..filing.clone()
        };
        let refused = f
            .store
            .file_appeal(&rights_holder(), &notifier_appeal)
            .await
            .expect_err("nothing to appeal");
        assert_eq!(refused.code(), ErrorCode::FailedPrecondition);

        let same = f
            .store
            .decide_appeal(&first, &appeal.appeal_id, AppealOutcome::Reverse, "x")
            .await
            .expect_err("same reviewer");
        assert_eq!(same.code(), ErrorCode::PermissionDenied);
        let (decided, case) = f
            .store
            .decide_appeal(
                &Actor::new("rev-2", "reviewer"),
                &appeal.appeal_id,
                AppealOutcome::Reverse,
                "invoice is genuine",
            )
            .await
            .expect("reversed");
        assert_eq!(decided.status, "DECIDED");
        assert_eq!(case.case.status, "REVERSED");
        assert!(!case.case.listing_down && !case.case.violation_recorded);
        assert_eq!(
            case.statement_ids.len(),
            2,
            "a new statement for the reversal"
        );
        let reversal = f
            .store
            .statement(&case.statement_ids[1])
            .await
            .expect("statement");
        assert_eq!(
            reversal.supersedes.as_deref(),
            Some(case.statement_ids[0].as_str())
        );
        let rows = outbox(&f.store).await;
        assert!(
            kinds(&rows).ends_with(&["enforcement.restore", "enforcement.retract_violation"]),
            "{rows:?}"
        );
        let again = f
            .store
            .decide_appeal(
                &Actor::new("rev-3", "reviewer"),
                &appeal.appeal_id,
                AppealOutcome::Uphold,
                "x",
            )
            .await
            .expect_err("decided");
        assert_eq!(again.code(), ErrorCode::FailedPrecondition);
    }
}

#[tokio::test]
async fn appeals_close_after_the_window() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Reject,
                "no evidence",
                None,
            )
            .await
            .expect("rejected");
        f.clock.advance(Duration::days(181));
        let filing = AppealFiling {
            request_id: "a1".into(),
            case_id,
            grounds: "new evidence".into(),
        };
        let late = f
            .store
            .file_appeal(&rights_holder(), &filing)
            .await
            .expect_err("too late");
        assert_eq!(late.code(), ErrorCode::FailedPrecondition);
        assert!(late.message().contains("closed"), "{}", late.message());
    }
}

#[tokio::test]
async fn cases_list_by_priority_then_age_across_pages() {
    for f in fixtures().await {
        f.store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("stored");
        f.clock.advance(Duration::minutes(1));
        let mut regulator_notice = notice(NoticeSource::Regulator, "g1", &["l-3"]);
        regulator_notice.draft.notifier_id = "bnetza".into();
        f.store
            .submit_notice(&Actor::new("bnetza", "regulator"), regulator_notice)
            .await
            .expect("stored");
        let mut listed = Vec::new();
        let mut page = PageRequest {
            size: 2,
            token: String::new(),
        };
        loop {
            let got = f
                .store
                .cases(&CaseFilter::default(), &page)
                .await
                .expect("page");
            listed.extend(got.items.iter().map(|c| c.case.listing_id.clone()));
            if got.next_token.is_empty() {
                break;
            }
            page.token = got.next_token;
        }
        assert_eq!(listed, ["l-3", "l-1", "l-2"]);
        let only = CaseFilter {
            status: Some(CaseStatus::Open),
            jurisdiction: Some("FR".into()),
            ..CaseFilter::default()
        };
        assert!(
            f.store
                .cases(&only, &PageRequest::default())
                .await
                .expect("page")
                .items
                .is_empty()
        );
    }
}

#[tokio::test]
async fn the_report_counts_what_happened() {
    for f in fixtures().await {
        let regulator = Actor::new("bnetza", "regulator");
        let mut reg = notice(NoticeSource::Regulator, "g1", &["l-1"]);
        reg.draft.notifier_id = "bnetza".into();
        f.store
            .submit_notice(&regulator, reg)
            .await
            .expect("stored");
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-2"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.clock.advance(Duration::hours(2));
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Uphold,
                "fake",
                None,
            )
            .await
            .expect("upheld");
        let day = f.clock.now().date_naive();
        let counts = f
            .store
            .report_counts(day, day + Duration::days(1), Some("DE"))
            .await
            .expect("report");
        assert_eq!(counts.get(report::metric::NOTICES), 2);
        assert_eq!(counts.get(report::metric::UPHELD), 1);
        assert_eq!(
            counts.get(&format!("{}REGULATOR", report::metric::BY_SOURCE)),
            1
        );
        assert_eq!(counts.get(&format!("{}OPEN", report::metric::BY_STATUS)), 1);
        assert_eq!(
            counts.get(&format!("{}ACTION_TAKEN", report::metric::BY_STATUS)),
            1
        );
        // One action on receipt (0 s), one after two hours.
        let median = counts.delay_quantile(0.5).expect("delays");
        assert!(median < 1000, "{median}");
        let p90 = counts.delay_quantile(0.9).expect("delays");
        assert!((7_200_000..7_900_000).contains(&p90), "{p90}");
        let other = f
            .store
            .report_counts(day, day + Duration::days(1), Some("FR"))
            .await
            .expect("report");
        assert_eq!(other.get(report::metric::NOTICES), 0);
    }
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_and_tampering_is_found() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Uphold,
                "fake",
                None,
            )
            .await
            .expect("upheld");
        let now = f.clock.now();
        let good = audit::verify(f.store.db(), f.store.signer(), 0, now)
            .await
            .expect("verify");
        // 2 cases opened, 1 notice, 1 decision, 1 statement.
        assert_eq!((good.checked, good.finding.clone()), (5, None));
        let head = audit::head(f.store.db(), None)
            .await
            .expect("head")
            .expect("non-empty");
        assert_eq!(head.head.root, good.head.root);
        assert!(f.store.signer().verify(&head.head, &head.signature));
        let proofs = audit::proofs(f.store.db(), 1, 0, 2).await.expect("proofs");
        let leaf: crate::domain::merkle::Hash = hex::decode(&proofs.entry.leaf_hash)
            .expect("hex")
            .try_into()
            .expect("32");
        assert!(crate::domain::merkle::verify_inclusion(
            1,
            5,
            &leaf,
            &proofs.inclusion,
            &head.head.root
        ));
        let old = audit::head(f.store.db(), Some(2))
            .await
            .expect("head")
            .expect("size 2");
        let (first, proof) = proofs.consistency.expect("asked for");
        assert!(crate::domain::merkle::verify_consistency(
            first,
            5,
            &old.head.root,
            &head.head.root,
            &proof
        ));

        let db = f.store.db();
        db.execute_unprepared("UPDATE audit_log SET kind = 'case.rejected' WHERE idx = 3")
            .await
            .expect("tamper");
        let edited = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify");
        let finding = edited.finding.expect("found");
        assert_eq!(
            (finding.index, finding.problem, edited.checked),
            (3, Problem::Edited, 3)
        );

        db.execute_unprepared("DELETE FROM audit_log WHERE idx = 1")
            .await
            .expect("tamper");
        let deleted = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify")
            .finding
            .expect("found");
        assert_eq!((deleted.index, deleted.problem), (1, Problem::Deleted));
    }
}

#[tokio::test]
async fn concurrent_notices_share_one_live_case_and_replays_one_notice() {
    for f in fixtures().await {
        let consumer = Actor::new("buyer-9", "consumer");
        let mut other = notice(NoticeSource::Consumer, "c1", &["l-1"]);
        other.draft.notifier_id = "buyer-9".into();
        let holder = rights_holder();
        let (a, b, c) = tokio::join!(
            f.store
                .submit_notice(&holder, notice(NoticeSource::RightsHolder, "r1", &["l-1"])),
            f.store
                .submit_notice(&holder, notice(NoticeSource::RightsHolder, "r1", &["l-1"])),
            f.store.submit_notice(&consumer, other),
        );
        let (a, b, c) = (a.expect("a"), b.expect("b"), c.expect("c"));
        assert_eq!(
            a.notice.notice_id, b.notice.notice_id,
            "one notice per request id"
        );
        assert!(a.replay != b.replay);
        assert_eq!(
            a.notice.case_ids, c.notice.case_ids,
            "one live case per listing"
        );
        let case_id = parse_list(&a.notice.case_ids).remove(0);
        assert_eq!(
            f.store.case(&case_id).await.expect("case").notice_ids.len(),
            2
        );
    }
}

#[test]
fn the_live_case_index_names_exactly_the_statuses_that_accept_notices() {
    let live: Vec<String> = CaseStatus::ALL
        .iter()
        .filter(|s| s.accepts_notices())
        .map(|s| format!("'{s}'"))
        .collect();
    let schema = migration::schema();
    let index = schema
        .iter()
        .find(|sql| sql.contains("cases_one_live"))
        .expect("index");
    assert!(
        index.contains(&format!("IN ({})", live.join(", "))),
        "{index}"
    );
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

#[tokio::test]
async fn a_good_faith_rights_holder_gets_priority_and_measures_on_receipt() {
    let rules = Rules {
        track_record: crate::domain::priority::TrackRecordPolicy {
            min_decided: 2,
            ..Default::default()
        },
        ..Rules::default()
    };
    for f in fixtures_with(rules.clone()).await {
        let reviewer = Actor::new("rev-1", "reviewer");
        for (i, listing) in ["l-1", "l-2"].iter().enumerate() {
            let n = f
                .store
                .submit_notice(
                    &rights_holder(),
                    notice(NoticeSource::RightsHolder, &format!("r{i}"), &[listing]),
                )
                .await
                .expect("stored");
            let case_id = parse_list(&n.notice.case_ids).remove(0);
            assert_eq!(
                f.store.case(&case_id).await.expect("case").case.priority,
                3,
                "no record yet"
            );
            f.store
                .decide_case(&reviewer, &case_id, CaseOutcome::Uphold, "fake", None)
                .await
                .expect("upheld");
        }
        assert!(
            f.store
                .track_record(f.store.db(), "brand-1")
                .await
                .expect("record")
                .is_good_faith(&rules.track_record)
        );
        let n = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r9", &["l-9"]),
            )
            .await
            .expect("stored");
        let case = f
            .store
            .case(&parse_list(&n.notice.case_ids)[0])
            .await
            .expect("case")
            .case;
        assert_eq!(case.priority, 2);
        assert!(case.listing_down, "taken down on receipt");
    }
}

#[tokio::test]
async fn a_notifier_of_unfounded_notices_is_warned_then_suspended() {
    let rules = Rules {
        track_record: crate::domain::priority::TrackRecordPolicy {
            unfounded_warning: 2,
            unfounded_suspension: 3,
            ..Default::default()
        },
        ..Rules::default()
    };
    for f in fixtures_with(rules.clone()).await {
        let reviewer = Actor::new("rev-1", "reviewer");
        for i in 0..3 {
            let n = f
                .store
                .submit_notice(
                    &rights_holder(),
                    notice(
                        NoticeSource::RightsHolder,
                        &format!("r{i}"),
                        &[&format!("l-{i}")],
                    ),
                )
                .await
                .expect("stored");
            let case_id = parse_list(&n.notice.case_ids).remove(0);
            f.store
                .decide_case(
                    &reviewer,
                    &case_id,
                    CaseOutcome::Reject,
                    "no evidence at all",
                    None,
                )
                .await
                .expect("rejected");
            let suspended = f
                .store
                .notifier_suspended_until("brand-1")
                .await
                .expect("standing");
            assert_eq!(suspended.is_some(), i == 2, "after {} rejections", i + 1);
        }
        let until = f
            .store
            .notifier_suspended_until("brand-1")
            .await
            .expect("standing")
            .expect("suspended");
        assert_eq!(
            until - f.clock.now().timestamp_millis(),
            rules.notifier_suspension.num_milliseconds()
        );
        f.clock.advance(rules.notifier_suspension);
        assert!(
            f.store
                .notifier_suspended_until("brand-1")
                .await
                .expect("standing")
                .is_none(),
            "the period ends"
        );
        let day = f.clock.now().date_naive();
        let counts = f
            .store
            .report_counts(day - Duration::days(60), day + Duration::days(1), None)
            .await
            .expect("report");
        assert_eq!(counts.get(report::metric::NOTIFIERS_SUSPENDED), 1);
    }
}

#[tokio::test]
async fn a_notifier_appeal_reverses_a_rejection_into_measures() {
    for f in fixtures().await {
        let n = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&n.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Reject,
                "unclear",
                None,
            )
            .await
            .expect("rejected");
        let seller_appeal = AppealFiling {
            request_id: "s1".into(),
            case_id: case_id.clone(),
            grounds: "x".into(),
        };
        let refused = f
            .store
            .file_appeal(&Actor::new("seller-1", "seller"), &seller_appeal)
            .await
            .expect_err("nothing to appeal");
        assert_eq!(refused.code(), ErrorCode::FailedPrecondition);
        let filing = AppealFiling {
            request_id: "a1".into(),
            case_id: case_id.clone(),
            grounds: "Lab report attached.".into(),
        };
        let appeal = f
            .store
            .file_appeal(&rights_holder(), &filing)
            .await
            .expect("filed");
        assert_eq!(appeal.appellant_party, "NOTIFIER");
        let (_, case) = f
            .store
            .decide_appeal(
                &Actor::new("rev-2", "reviewer"),
                &appeal.appeal_id,
                AppealOutcome::Reverse,
                "lab report convinces",
            )
            .await
            .expect("reversed");
        assert_eq!(case.case.status, "ACTION_TAKEN");
        assert_eq!(case.case.decided_by_subject.as_deref(), Some("rev-2"));
        let rows = outbox(&f.store).await;
        assert!(
            kinds(&rows).contains(&"enforcement.take_down")
                && kinds(&rows).contains(&"enforcement.record_violation"),
            "{rows:?}"
        );
    }
}

#[tokio::test]
async fn the_node_backfill_rebuilds_what_appends_kept() {
    use sea_orm_migration::{MigrationTrait, SchemaManager};
    for f in fixtures().await {
        f.store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2", "l-3"]),
            )
            .await
            .expect("stored");
        let before = audit::proofs(f.store.db(), 2, 0, 3).await.expect("proofs");
        f.store
            .db()
            .execute_unprepared("DROP TABLE audit_nodes")
            .await
            .expect("drop");
        AuditNodes
            .up(&SchemaManager::new(f.store.db()))
            .await
            .expect("backfill");
        let after = audit::proofs(f.store.db(), 2, 0, 3).await.expect("proofs");
        assert_eq!(
            (&before.inclusion, &before.consistency),
            (&after.inclusion, &after.consistency)
        );
        let root = after.head.head.root;
        let leaf: crate::domain::merkle::Hash = hex::decode(&after.entry.leaf_hash)
            .expect("hex")
            .try_into()
            .expect("32");
        assert!(crate::domain::merkle::verify_inclusion(
            2,
            after.tree_size,
            &leaf,
            &after.inclusion,
            &root
        ));
    }
}

/// Counter rows as a year of a million cases in 30 jurisdictions leaves them, then a year's
/// report timed for all jurisdictions and for one. Run with
/// `cargo test -p genuine-enforcement --lib report_at_scale -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "measurement"]
async fn report_at_scale() {
    use crate::domain::case_state::CaseStatus;
    let mut metric_names: Vec<String> = [
        report::metric::NOTICES,
        report::metric::CASES_OPENED,
        report::metric::CASES_AUTOMATED,
        report::metric::UPHELD,
        report::metric::REJECTED,
        report::metric::COUNTER_NOTICES,
        report::metric::RESTORATIONS,
        report::metric::LEGAL_ACTIONS,
        report::metric::APPEALS,
        report::metric::REVERSALS,
    ]
    .iter()
    .map(|m| (*m).to_owned())
    .collect();
    metric_names.extend(
        NoticeSource::ALL
            .iter()
            .map(|s| format!("{}{s}", report::metric::BY_SOURCE)),
    );
    metric_names.extend(
        NoticeGround::ALL
            .iter()
            .map(|g| format!("{}{g}", report::metric::BY_GROUND)),
    );
    metric_names.extend(
        CaseStatus::ALL
            .iter()
            .map(|s| format!("{}{s}", report::metric::BY_STATUS)),
    );
    metric_names.extend((60..90).map(|b| format!("{}{b}", report::metric::DELAY)));
    let jurisdictions: Vec<String> = crate::domain::statement::EU_EEA
        .iter()
        .map(|c| (*c).to_owned())
        .chain([report::ALL.to_owned()])
        .collect();
    let start_day = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("day");
    for f in fixtures().await {
        let db = f.store.db();
        let mut rows = Vec::new();
        for j in &jurisdictions {
            for d in 0..365 {
                let day = report::day(start_day + Duration::days(d));
                for m in &metric_names {
                    rows.push(format!("('{day}', '{j}', '{m}', 91)"));
                }
            }
        }
        let total = rows.len();
        for chunk in rows.chunks(2000) {
            let sql = format!(
                "INSERT INTO report_counters (day, jurisdiction, metric, count) VALUES {}",
                chunk.join(",")
            );
            db.execute_unprepared(&sql).await.expect("seed");
        }
        db.execute_unprepared("ANALYZE").await.ok();
        let (from, to) = (
            start_day.date_naive(),
            (start_day + Duration::days(365)).date_naive(),
        );
        for jurisdiction in [None, Some("DE")] {
            let mut best = std::time::Duration::MAX;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let counts = f
                    .store
                    .report_counts(from, to, jurisdiction)
                    .await
                    .expect("report");
                best = best.min(t.elapsed());
                assert_eq!(counts.get(report::metric::NOTICES), 91 * 365);
                assert!(counts.delay_quantile(0.9).is_some());
            }
            println!(
                "{:?}: {total} counter rows, year report for {jurisdiction:?}: best of 5 = {best:?}",
                f._db.backend
            );
            assert!(best < std::time::Duration::from_millis(200), "{best:?}");
        }
    }
}

/// The audit log at 100,000 entries: proof generation and full verification timed. Run with
/// `cargo test -p genuine-enforcement --lib audit_at_scale -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "measurement"]
async fn audit_at_scale() {
    use crate::domain::audit::{AuditRecord, append_with_nodes, digest};
    use crate::domain::merkle::Frontier;
    const N: u64 = 100_000;
    for f in fixtures().await {
        let db = f.store.db();
        let mut frontier = Frontier::new();
        let mut rows = Vec::new();
        let mut nodes = Vec::new();
        for i in 0..N {
            let record = AuditRecord {
                time_millis: 1_772_000_000_000 + i as i64,
                actor_subject: "rev-1".into(),
                actor_role: "reviewer".into(),
                kind: "case.upheld".into(),
                subject_id: format!("case-{i}"),
                payload_digest: digest(&i.to_be_bytes()),
            };
            let appended = append_with_nodes(&mut frontier, record, f.store.signer());
            for (level, pos, hash) in &appended.nodes {
                nodes.push(format!("({level}, {pos}, '{}')", hex::encode(hash)));
            }
            let e = appended.entry;
            rows.push(format!(
                "({}, {}, 'rev-1', 'reviewer', 'case.upheld', '{}', '{}', '{}', '{}', '{}')",
                e.index,
                e.record.time_millis,
                e.record.subject_id,
                hex::encode(e.record.payload_digest),
                hex::encode(&e.leaf_hash),
                hex::encode(&e.root),
                hex::encode(&e.signature)
            ));
        }
        for chunk in rows.chunks(2000) {
            let sql = format!(
                "INSERT INTO audit_log (idx, at, actor_subject, actor_role, kind, subject_id, payload_digest, leaf_hash, root, signature) VALUES {}",
                chunk.join(",")
            );
            db.execute_unprepared(&sql).await.expect("seed");
        }
        for chunk in nodes.chunks(2000) {
            let sql = format!(
                "INSERT INTO audit_nodes (level, pos, hash) VALUES {}",
                chunk.join(",")
            );
            db.execute_unprepared(&sql).await.expect("seed nodes");
        }
        let state = format!(
            "UPDATE audit_state SET tree_size = {N}, frontier = '{}' WHERE id = 1",
            hex::encode(frontier.to_bytes())
        );
        db.execute_unprepared(&state).await.expect("state");

        let t = std::time::Instant::now();
        let proofs = audit::proofs(db, N / 3, 0, N / 2).await.expect("proofs");
        let proof_time = t.elapsed();
        assert_eq!(proofs.tree_size, N);
        let t = std::time::Instant::now();
        let verified = audit::verify(db, f.store.signer(), 0, f.clock.now())
            .await
            .expect("verify");
        let verify_time = t.elapsed();
        assert_eq!((verified.checked, verified.finding), (N, None));
        let t = std::time::Instant::now();
        audit::append(
            db,
            f.store.signer(),
            &Actor::system(),
            f.clock.now(),
            "x",
            "y",
            &"z",
        )
        .await
        .expect("append");
        let append_time = t.elapsed();
        println!(
            "{:?}: {N} entries: proof {proof_time:?}, verify {verify_time:?}, append {append_time:?}",
            f._db.backend
        );
    }
}
