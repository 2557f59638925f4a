//! Notice intake: idempotent submission, regulator notices acted on at receipt, concurrent
//! notices sharing one live case, and the live-case index matching the statuses that accept them.

use super::*;

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
