//! A seller's suspension and its reinstatement delivered at the same moment (reputation's outbox
//! delivers in parallel): both succeed and the suspension ends lifted. Before, a reinstatement
//! that looked before the suspension committed and inserted after it hit the primary key
//! (INTERNAL), and its outbox message was parked. Found by the fault test with real processes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_suspension_and_its_reinstatement_crossing_both_succeed() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        create(db, "seller-1", "req-1", Decision::Publish).await;
        let tasks: Vec<_> = (0..40)
            .flat_map(|n| {
                let suspension = format!("susp-{n}");
                let (a, b) = (db.clone(), db.clone());
                let id = suspension.clone();
                [
                    tokio::spawn(async move {
                        suspend_seller(&a, "seller-1", &suspension, "3 strikes", &actor(), t0())
                            .await
                            .map(|_| ())
                    }),
                    tokio::spawn(async move {
                        reinstate_seller(&b, "seller-1", &id, t0())
                            .await
                            .map(|_| ())
                    }),
                ]
            })
            .collect();
        for task in tasks {
            task.await.expect("task").expect("both succeed");
        }
        let listing = create(db, "seller-1", "req-2", Decision::Publish).await;
        assert_eq!(
            listing.status,
            ListingStatus::Active,
            "every suspension ended lifted"
        );
    }
}
