//! Concurrent writers on PostgreSQL: notices and decisions at once must not deadlock. Every write
//! takes the audit log's head and bumps report counters; before the head was locked first, one
//! transaction held a counter while waiting for the head and another the reverse, and
//! PostgreSQL ended one of them ("deadlock detected", answered as INTERNAL). Found by the fault
//! test with real processes (`services/genuine/tests/faults`).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_notices_and_decisions_do_not_deadlock() {
    for f in fixtures().await {
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let store = f.store.clone();
                tokio::spawn(async move {
                    for i in 0..12 {
                        let listing = format!("l-{w}-{i}");
                        let submitted = store
                            .submit_notice(
                                &rights_holder(),
                                notice(NoticeSource::RightsHolder, &listing, &[&listing]),
                            )
                            .await
                            .expect("notice stored");
                        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
                        store
                            .decide_case(
                                &Actor::new("rev-1", "reviewer"),
                                &case_id,
                                CaseOutcome::Uphold,
                                "counterfeit",
                                Some(Severity::Medium),
                            )
                            .await
                            .expect("decided");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("writer");
        }
    }
}
