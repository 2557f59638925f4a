//! Action generations of a case's take-down and restore: a reversed rejection takes the listing
//! down again, and a late delivery of an older action changes nothing.

use super::*;

async fn status_after_take_down(db: &DatabaseConnection, id: &str, action: &str) -> ListingStatus {
    take_down_listing(db, id, "case-1", action, "upheld on appeal", &actor(), t0())
        .await
        .expect("take down")
        .status
}

async fn status_after_restore(db: &DatabaseConnection, id: &str, action: &str) -> ListingStatus {
    restore_listing(db, id, "case-1", action, &actor(), t0())
        .await
        .expect("restore")
        .status
}

#[tokio::test]
async fn a_reversed_rejection_takes_the_listing_down_for_the_same_case() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let listing = create(db, "seller-1", "req-1", Decision::Publish).await;
        let id = listing.listing_id.as_str();
        // The case is rejected: a restore without a take-down.
        let restore_1 = "case-1/restore/1";
        assert_eq!(
            status_after_restore(db, id, restore_1).await,
            ListingStatus::Active
        );
        // The notifier's appeal reverses the rejection: the same case takes it down.
        let take_down_2 = "case-1/take_down/2";
        assert_eq!(
            status_after_take_down(db, id, take_down_2).await,
            ListingStatus::TakenDown
        );
        let down = get_listing(db, id).await.expect("get");
        assert_eq!(
            take_down_listing(db, id, "case-1", take_down_2, "again", &actor(), t0())
                .await
                .expect("repeat"),
            down,
            "the same action is a repeat"
        );
        // A late duplicate of the old restore does not undo the newer take-down.
        assert_eq!(
            status_after_restore(db, id, restore_1).await,
            ListingStatus::TakenDown
        );
        // A newer restore (e.g. a counter-notice window ran out) applies.
        assert_eq!(
            status_after_restore(db, id, "case-1/restore/3").await,
            ListingStatus::Active
        );
        assert_eq!(
            status_after_take_down(db, id, take_down_2).await,
            ListingStatus::Active,
            "a late duplicate of the old take-down does not re-impose it"
        );
    }
}

#[tokio::test]
async fn an_older_action_arriving_after_a_newer_one_changes_nothing() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let listing = create(db, "seller-1", "req-1", Decision::Publish).await;
        let id = listing.listing_id.as_str();
        // The outbox delivered the take-down before the restore that preceded it.
        assert_eq!(
            status_after_take_down(db, id, "case-1/take_down/2").await,
            ListingStatus::TakenDown
        );
        assert_eq!(
            status_after_restore(db, id, "case-1/restore/1").await,
            ListingStatus::TakenDown
        );
    }
}

#[tokio::test]
async fn calls_without_action_ids_keep_the_case_as_their_key() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let listing = create(db, "seller-1", "req-1", Decision::Publish).await;
        let id = listing.listing_id.as_str();
        assert_eq!(
            status_after_take_down(db, id, "").await,
            ListingStatus::TakenDown
        );
        assert_eq!(
            status_after_restore(db, id, "").await,
            ListingStatus::Active
        );
        assert_eq!(
            status_after_take_down(db, id, "").await,
            ListingStatus::Active,
            "a lifted key stays lifted for callers without action ids"
        );
        // An enforcement action with an id is new, and applies.
        assert_eq!(
            status_after_take_down(db, id, "case-1/take_down/3").await,
            ListingStatus::TakenDown
        );
        assert_eq!(
            status_after_restore(db, id, "").await,
            ListingStatus::Active
        );
    }
}
