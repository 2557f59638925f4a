//! Notifier standing: good-faith rights holders get priority, notifiers of unfounded notices
//! are warned then suspended, and a notifier's appeal can reverse a rejection.

use super::*;

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
