//! Case decisions and the case queue: rejecting an automated case restores the held listing,
//! and cases list by priority then age across pages.

use super::*;

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
