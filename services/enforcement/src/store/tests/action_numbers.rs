//! A case's take-downs and restorations are numbered together, so listing can order them: a
//! rejection's restore and the take-down after the rejection is reversed carry increasing
//! numbers in their outbox keys (the action ids the handlers send).

use super::*;

#[tokio::test]
async fn take_downs_and_restores_of_a_case_share_one_sequence() {
    for f in fixtures().await {
        // The regulator whose notice took the listing down on receipt (the notice's notifier).
        let regulator = Actor::new("brand-1", "regulator");
        let submitted = f
            .store
            .submit_notice(&regulator, notice(NoticeSource::Regulator, "g1", &["l-1"]))
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Reject,
                "not substantiated",
                None,
            )
            .await
            .expect("rejected");
        let filing = AppealFiling {
            request_id: "a1".into(),
            case_id: case_id.clone(),
            grounds: "the test report was overlooked".into(),
        };
        let appeal = f
            .store
            .file_appeal(&regulator, &filing)
            .await
            .expect("the notifier appeals the rejection");
        f.store
            .decide_appeal(
                &Actor::new("rev-2", "reviewer"),
                &appeal.appeal_id,
                AppealOutcome::Reverse,
                "the report shows the failure",
            )
            .await
            .expect("reversed");
        let keys: Vec<String> = outbox(&f.store)
            .await
            .into_iter()
            .filter(|(kind, _, _)| kind == "enforcement.take_down" || kind == "enforcement.restore")
            .map(|(_, key, _)| key)
            .collect();
        assert_eq!(
            keys,
            [
                format!("{case_id}/take_down/1"),
                format!("{case_id}/restore/2"),
                format!("{case_id}/take_down/3"),
            ]
        );
    }
}
