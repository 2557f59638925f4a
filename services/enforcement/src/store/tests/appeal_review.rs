//! Appeals: a reversal undoes every effect and needs another reviewer; appeals close after the
//! window.

use super::*;

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
