//! The transparency report counts what happened.

use super::*;

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
