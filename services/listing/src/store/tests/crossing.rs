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

/// A case's actions delivered at once, in any order and each more than once (enforcement's outbox
/// delivers in parallel and retries after timeouts): every delivery succeeds and the newest
/// action decides. Before, two restores of a listing the case never took down both inserted its
/// row (a duplicate key, INTERNAL, then a parked message; found by the fault test), and an older
/// action could overwrite a newer one it read before that one committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cases_actions_crossing_all_succeed_and_the_newest_decides() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        for round in 0..12 {
            let listing = create(db, "seller-1", &format!("req-{round}"), Decision::Publish).await;
            let actions = ["case-1/restore/1", "case-1/take_down/2", "case-1/restore/3"];
            let tasks: Vec<_> = (0..4)
                .flat_map(|_| actions)
                .map(|action| {
                    let (db, id) = (db.clone(), listing.listing_id.clone());
                    tokio::spawn(async move {
                        if action.contains("take_down") {
                            take_down_listing(&db, &id, "case-1", action, "upheld", &actor(), t0())
                                .await
                                .map(|_| ())
                        } else {
                            restore_listing(&db, &id, "case-1", action, &actor(), t0())
                                .await
                                .map(|_| ())
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task").expect("every delivery succeeds");
            }
            let after = get_listing(db, &listing.listing_id).await.expect("get");
            assert_eq!(
                after.status,
                ListingStatus::Active,
                "round {round}: the newest action (a restore) decides"
            );
        }
    }
}

/// Listings created while their seller is being suspended all end suspended. Before, a create
/// that found no suspension before the suspension committed, and inserted its listing after
/// the suspension had gone through the seller's listings, left that listing ACTIVE: a lost
/// suspension (found by the fault test, seed 23).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn listings_created_while_their_seller_is_suspended_all_end_suspended() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        for round in 0..10 {
            let seller = format!("seller-{round}");
            let creates: Vec<_> = (0..16)
                .map(|n| {
                    let (db, seller) = (db.clone(), seller.clone());
                    tokio::spawn(async move {
                        create(&db, &seller, &format!("req-{n}"), Decision::Publish)
                            .await
                            .listing_id
                    })
                })
                .collect();
            tokio::time::sleep(std::time::Duration::from_micros(200 * round)).await;
            suspend_seller(db, &seller, "susp-1", "3 strikes", &actor(), t0())
                .await
                .expect("suspend");
            for task in creates {
                let id = task.await.expect("task");
                let after = get_listing(db, &id).await.expect("get");
                assert_eq!(
                    after.status,
                    ListingStatus::Suspended,
                    "round {round}: listing {id} escaped the suspension"
                );
            }
        }
    }
}

/// A restore and a suspension of a taken-down listing at once: the listing ends SUSPENDED, as
/// its measures say. Each derives the status from the measures it can see; without the
/// listing's lock around the derivation, the suspension could store TAKEN_DOWN from a take-down
/// the restore had just lifted (or the restore ACTIVE beside the new suspension).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restore_and_a_suspension_crossing_leave_the_status_its_measures_say() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        for round in 0..20 {
            let seller = format!("seller-{round}");
            let id = create(db, &seller, "req-1", Decision::Publish)
                .await
                .listing_id;
            take_down_listing(
                db,
                &id,
                "case-1",
                "case-1/take_down/1",
                "upheld",
                &actor(),
                t0(),
            )
            .await
            .expect("take down");
            let restore = {
                let (db, id) = (db.clone(), id.clone());
                tokio::spawn(async move {
                    restore_listing(&db, &id, "case-1", "case-1/restore/2", &actor(), t0()).await
                })
            };
            let suspend = {
                let (db, seller) = (db.clone(), seller.clone());
                tokio::spawn(async move {
                    suspend_seller(&db, &seller, "susp-1", "3 strikes", &actor(), t0()).await
                })
            };
            restore.await.expect("task").expect("restore");
            suspend.await.expect("task").expect("suspend");
            let after = get_listing(db, &id).await.expect("get");
            assert_eq!(
                after.status,
                ListingStatus::Suspended,
                "round {round}: measures {:?}",
                after.measures
            );
        }
    }
}
