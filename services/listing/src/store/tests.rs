//! Store tests, each on SQLite and (when `GENUINE_TEST_POSTGRES_URL` is set) PostgreSQL.

use chrono::{DateTime, TimeZone, Utc};
use genuine_runtime::clock::ManualClock;
use genuine_runtime::errors::ErrorCode;
use genuine_runtime::outbox::backlog;
use genuine_runtime::storage::testing::TestDatabase;
use sea_orm::DatabaseConnection;

use super::*;

mod actions;
mod crossing;
mod group_commit;
use crate::domain::measures::{ListingStatus, MeasureKind};
use crate::domain::money::Money;
use crate::screening::{Assessment, Decision, ImageHash, PdqHash, Signal, SignalCode};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn actor() -> Actor {
    Actor::new("admin-1", "admin")
}

fn eur(units: i64) -> Money {
    Money::parse("EUR", units, 0).expect("valid")
}

fn content(title: &str) -> ListingContent {
    ListingContent {
        title: title.into(),
        description: "desc".into(),
        category: "handbags".into(),
        price: eur(100),
        images: vec![ImageHash {
            hash: PdqHash([1, 2, 3, 4]),
            quality: 80,
        }],
    }
}

fn screened(decision: Decision) -> Screened {
    let signals = match decision {
        Decision::Publish => vec![],
        _ => vec![Signal {
            code: SignalCode::ReplicaVocabulary,
            weight: 60,
            detail: "uses replica vocabulary: \"replica\"".into(),
            brand_id: None,
        }],
    };
    Screened {
        assessment: Assessment {
            risk_score: if decision == Decision::Publish { 0 } else { 60 },
            decision,
            signals,
        },
        screened_at: t0(),
    }
}

async fn create(
    db: &DatabaseConnection,
    seller: &str,
    request: &str,
    decision: Decision,
) -> ListingView {
    create_listing(
        db,
        NewListing {
            request_id: request.into(),
            seller_id: seller.into(),
            content: content("Brown bag"),
        },
        &screened(decision),
        &Actor::new(seller, "seller"),
        t0(),
    )
    .await
    .expect("create")
}

async fn pending_notices(db: &DatabaseConnection) -> u64 {
    backlog(db, &ManualClock::at(t0()))
        .await
        .expect("backlog")
        .pending
}

#[tokio::test]
async fn migrations_load_the_default_vocabulary() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let terms = load_terms(&test_db.db).await.expect("terms");
        assert_eq!(
            terms.len(),
            DEFAULT_PROHIBITED_TERMS.len(),
            "{:?}",
            test_db.backend
        );
        assert!(terms.iter().any(|t| t.term == "高仿"));
        let added = add_terms(
            &test_db.db,
            vec![
                NewTerm {
                    term: "R.E.P.L.I.C.A".into(),
                    language: "en".into(),
                },
                NewTerm {
                    term: "dupe".into(),
                    language: "en".into(),
                },
            ],
            t0(),
        )
        .await
        .expect("add");
        let added: Vec<_> = added.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(added, ["dupe"], "normalised duplicates are not added twice");
        let first = list_terms(&test_db.db, &PageRequest::parse(10, "").expect("page"))
            .await
            .expect("list");
        assert_eq!(first.items.len(), 10);
        let second = list_terms(
            &test_db.db,
            &PageRequest::parse(1000, &first.next_page_token).expect("page"),
        )
        .await
        .expect("list");
        assert_eq!(
            first.items.len() + second.items.len(),
            DEFAULT_PROHIBITED_TERMS.len() + 1
        );
        assert!(second.next_page_token.is_empty());
    }
}

#[tokio::test]
async fn brands_are_idempotent_on_request_id_and_track_authorised_sellers() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let new = NewBrand {
            request_id: "req-1".into(),
            display_name: "Luxe Paris".into(),
            aliases: vec!["卢克斯".into()],
            owner_id: "rh-1".into(),
            reference_prices: vec![("handbags".into(), eur(1000))],
        };
        let brand = register_brand(db, new.clone(), &actor(), t0())
            .await
            .expect("register");
        let again = register_brand(db, new.clone(), &actor(), t0())
            .await
            .expect("retry");
        assert_eq!(brand, again);
        assert_eq!(
            brand.reference_prices,
            vec![("handbags".to_owned(), eur(1000))]
        );
        let conflict = register_brand(
            db,
            NewBrand {
                display_name: "Other".into(),
                ..new
            },
            &actor(),
            t0(),
        )
        .await
        .expect_err("conflict");
        assert_eq!(conflict.code(), ErrorCode::AlreadyExists);

        let authorised = authorize_seller(db, &brand.brand_id, "seller-1", t0())
            .await
            .expect("authorise");
        let twice = authorize_seller(db, &brand.brand_id, "seller-1", t0())
            .await
            .expect("again");
        assert_eq!(authorised.authorized_seller_ids, ["seller-1"]);
        assert_eq!(authorised, twice);
        let profiles = load_brand_profiles(db).await.expect("profiles");
        assert!(profiles[0].authorized_sellers.contains("seller-1"));
        let revoked = revoke_seller(db, &brand.brand_id, "seller-1", t0())
            .await
            .expect("revoke");
        assert!(revoked.authorized_seller_ids.is_empty());
        let missing = authorize_seller(db, "brand-none", "s", t0())
            .await
            .expect_err("unknown");
        assert_eq!(missing.code(), ErrorCode::NotFound);

        let page = list_brands(db, &PageRequest::parse(0, "").expect("page"))
            .await
            .expect("list");
        assert_eq!(page.items.len(), 1);
        assert!(page.next_page_token.is_empty());
    }
}

#[tokio::test]
async fn counterfeit_hashes_are_unique_per_brand() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let brand = register_brand(
            db,
            NewBrand {
                request_id: "r".into(),
                display_name: "Orbis".into(),
                aliases: vec![],
                owner_id: "rh".into(),
                reference_prices: vec![],
            },
            &actor(),
            t0(),
        )
        .await
        .expect("brand");
        let images = [
            NewCounterfeitImage {
                hash: PdqHash([1, 1, 1, 1]),
            },
            NewCounterfeitImage {
                hash: PdqHash([2, 2, 2, 2]),
            },
        ];
        let added =
            add_counterfeit_images(db, &brand.brand_id, &images, "rights_holder", "rh", t0())
                .await
                .expect("add");
        assert_eq!(added.len(), 2);
        let again =
            add_counterfeit_images(db, &brand.brand_id, &images, "rights_holder", "rh", t0())
                .await
                .expect("again");
        assert!(again.is_empty());
        let mut loaded = crate::screening::ImageSetBuilder::default();
        load_counterfeit_images(db, &mut loaded)
            .await
            .expect("load");
        let loaded = loaded.finish();
        assert_eq!(loaded.len(), 2);
        assert_eq!(
            loaded.matches(&PdqHash([2, 2, 2, 2]), 0)[0].brand_id,
            brand.brand_id
        );
        // Batches of one row: each starts after the last key of the one before.
        let mut paged = crate::screening::ImageSetBuilder::default();
        images::load_in_batches(db, &mut paged, 1)
            .await
            .expect("load");
        let paged = paged.finish();
        assert_eq!(paged.len(), 2, "each row once");
        for hash in [PdqHash([1, 1, 1, 1]), PdqHash([2, 2, 2, 2])] {
            assert_eq!(paged.matches(&hash, 0)[0].brand_id, brand.brand_id);
        }
        let unknown = add_counterfeit_images(db, "brand-x", &images, "regulator", "r", t0()).await;
        assert_eq!(unknown.expect_err("unknown").code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn create_is_idempotent_and_a_hold_files_a_notice_in_the_same_transaction() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let published = create(db, "seller-1", "req-1", Decision::Publish).await;
        assert_eq!(published.status, ListingStatus::Active);
        assert_eq!(published.images[0].hash, PdqHash([1, 2, 3, 4]));
        assert_eq!(pending_notices(db).await, 0);
        let retry = create(db, "seller-1", "req-1", Decision::Publish).await;
        assert_eq!(retry, published);

        let conflict = create_listing(
            db,
            NewListing {
                request_id: "req-1".into(),
                seller_id: "seller-1".into(),
                content: content("Another title"),
            },
            &screened(Decision::Publish),
            &actor(),
            t0(),
        )
        .await
        .expect_err("conflict");
        assert_eq!(conflict.code(), ErrorCode::AlreadyExists);
        assert!(
            conflict.message().contains("req-1"),
            "{}",
            conflict.message()
        );

        // The same request id from another seller is another listing.
        let other = create(db, "seller-2", "req-1", Decision::Publish).await;
        assert_ne!(other.listing_id, published.listing_id);

        let held = create(db, "seller-1", "req-2", Decision::HoldForReview).await;
        assert_eq!(held.status, ListingStatus::Held);
        assert_eq!(held.measures.len(), 1);
        assert_eq!(held.measures[0].kind, MeasureKind::ScreeningHold);
        assert_eq!(pending_notices(db).await, 1);
        let blocked = create(db, "seller-1", "req-3", Decision::Block).await;
        assert_eq!(blocked.status, ListingStatus::Blocked);
        assert_eq!(pending_notices(db).await, 2);
        assert_eq!(
            blocked.screening.assessment.signals[0].code,
            SignalCode::ReplicaVocabulary
        );
    }
}

#[tokio::test]
async fn updates_rescreen_and_refuse_stale_versions() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let held = create(db, "seller-1", "req-1", Decision::HoldForReview).await;
        let fixed = update_listing(
            db,
            &held.listing_id,
            held.version,
            &content("Fixed"),
            &screened(Decision::Publish),
            &actor(),
            t0(),
        )
        .await
        .expect("update");
        assert_eq!(fixed.status, ListingStatus::Active);
        assert_eq!(fixed.title, "Fixed");
        assert_eq!(fixed.version, held.version + 1);
        let stale = update_listing(
            db,
            &held.listing_id,
            held.version,
            &content("Late"),
            &screened(Decision::Publish),
            &actor(),
            t0(),
        )
        .await
        .expect_err("stale");
        assert_eq!(stale.code(), ErrorCode::Aborted);
        let missing = get_listing(db, "lst-none").await.expect_err("missing");
        assert_eq!(missing.code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn measures_interplay_takedown_suspension_restore() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let listing = create(db, "seller-1", "req-1", Decision::Publish).await;
        let id = listing.listing_id.as_str();
        let down = take_down_listing(db, id, "case-1", "", "counterfeit", &actor(), t0())
            .await
            .expect("take down");
        assert_eq!(down.status, ListingStatus::TakenDown);
        let repeat = take_down_listing(db, id, "case-1", "", "counterfeit", &actor(), t0())
            .await
            .expect("repeat");
        assert_eq!(repeat, down, "a repeat changes nothing");

        assert_eq!(
            suspend_seller(db, "seller-1", "susp-1", "3 strikes", &actor(), t0())
                .await
                .expect("suspend"),
            1
        );
        assert_eq!(
            suspend_seller(db, "seller-1", "susp-1", "3 strikes", &actor(), t0())
                .await
                .expect("repeat"),
            0
        );
        assert_eq!(
            get_listing(db, id).await.expect("get").status,
            ListingStatus::TakenDown
        );

        let restored = restore_listing(db, id, "case-1", "", &actor(), t0())
            .await
            .expect("restore");
        assert_eq!(
            restored.status,
            ListingStatus::Suspended,
            "the suspension remains"
        );
        assert_eq!(
            restore_listing(db, id, "case-1", "", &actor(), t0())
                .await
                .expect("repeat"),
            restored
        );
        // A late duplicate of the take-down does not re-impose it.
        assert_eq!(
            take_down_listing(db, id, "case-1", "", "late", &actor(), t0())
                .await
                .expect("late")
                .status,
            ListingStatus::Suspended
        );

        // A listing created during the suspension is suspended too.
        let new_one = create(db, "seller-1", "req-2", Decision::Publish).await;
        assert_eq!(new_one.status, ListingStatus::Suspended);

        assert_eq!(
            reinstate_seller(db, "seller-1", "susp-1", t0())
                .await
                .expect("reinstate"),
            2
        );
        assert_eq!(
            reinstate_seller(db, "seller-1", "susp-1", t0())
                .await
                .expect("repeat"),
            0
        );
        assert_eq!(
            get_listing(db, id).await.expect("get").status,
            ListingStatus::Active
        );
        assert_eq!(
            get_listing(db, &new_one.listing_id)
                .await
                .expect("get")
                .status,
            ListingStatus::Active
        );

        // A reinstatement that arrives before its suspension makes the suspension a no-op.
        assert_eq!(
            reinstate_seller(db, "seller-1", "susp-2", t0())
                .await
                .expect("early"),
            0
        );
        assert_eq!(
            suspend_seller(db, "seller-1", "susp-2", "late", &actor(), t0())
                .await
                .expect("late"),
            0
        );
        assert_eq!(
            get_listing(db, id).await.expect("get").status,
            ListingStatus::Active
        );

        let missing = take_down_listing(db, "lst-none", "case-9", "", "x", &actor(), t0())
            .await
            .expect_err("missing");
        assert_eq!(missing.code(), ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn restoring_a_case_releases_the_screening_hold_it_reviewed() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let held = create(db, "seller-1", "req-1", Decision::HoldForReview).await;
        let down = take_down_listing(db, &held.listing_id, "case-2", "", "upheld", &actor(), t0())
            .await
            .expect("down");
        assert_eq!(down.status, ListingStatus::TakenDown);
        let other = create(db, "seller-1", "req-2", Decision::Block).await;
        let restored = restore_listing(db, &other.listing_id, "case-3", "", &actor(), t0())
            .await
            .expect("restore");
        assert_eq!(restored.status, ListingStatus::Active);
        assert!(restored.measures.is_empty());
    }
}

#[tokio::test]
async fn sellers_see_active_listings_and_their_own() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let mine_held = create(db, "seller-1", "a", Decision::HoldForReview).await;
        let theirs_held = create(db, "seller-2", "b", Decision::HoldForReview).await;
        let theirs_active = create(db, "seller-2", "c", Decision::Publish).await;
        let page = PageRequest::parse(0, "").expect("page");
        let ids = |p: Page<ListingView>| {
            p.items
                .into_iter()
                .map(|l| l.listing_id)
                .collect::<Vec<_>>()
        };
        let as_seller = ListingFilter {
            seller_id: None,
            status: None,
            visibility: Visibility::ActiveOrOwn("seller-1".into()),
        };
        let seen = ids(list_listings(db, &as_seller, &page).await.expect("list"));
        assert_eq!(
            seen,
            [
                mine_held.listing_id.clone(),
                theirs_active.listing_id.clone()
            ]
        );
        let held_only = ListingFilter {
            seller_id: None,
            status: Some(ListingStatus::Held),
            visibility: Visibility::All,
        };
        let seen = ids(list_listings(db, &held_only, &page).await.expect("list"));
        assert_eq!(
            seen,
            [mine_held.listing_id.clone(), theirs_held.listing_id.clone()]
        );
        let by_seller = ListingFilter {
            seller_id: Some("seller-2".into()),
            status: None,
            visibility: Visibility::All,
        };
        let first = list_listings(db, &by_seller, &PageRequest::parse(1, "").expect("page"))
            .await
            .expect("list");
        assert_eq!(first.items.len(), 1);
        let rest = list_listings(
            db,
            &by_seller,
            &PageRequest::parse(1, &first.next_page_token).expect("page"),
        )
        .await
        .expect("list");
        assert_eq!(
            ids(first).into_iter().chain(ids(rest)).collect::<Vec<_>>(),
            [theirs_held.listing_id, theirs_active.listing_id]
        );
    }
}
