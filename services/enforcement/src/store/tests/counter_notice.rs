//! The counter-notice window: expiry restores and retracts, legal action in time keeps the
//! measures.

use super::*;

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
