//! Group commit of creates: a batch answers each item as if it had been written alone —
//! repeats of a request id resolve to one listing, a conflicting reuse is ALREADY_EXISTS, a row
//! the database refuses fails alone, a suspended seller's listing is suspended — and the answer
//! built in memory equals what a later read returns.

use std::collections::HashMap;

use futures::future::join_all;
use genuine_runtime::outbox::Wake;
use genuine_runtime::storage::testing::Backend;
use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;

use super::*;

/// The title the test database refuses to store (see [`refuse_title`]).
const REFUSED: &str = "refused by the database";

fn request(seller: &str, request_id: &str, title: &str, decision: Decision) -> CreateRequest {
    CreateRequest {
        new: NewListing {
            request_id: request_id.into(),
            seller_id: seller.into(),
            content: content(title),
        },
        screened: screened(decision),
        actor: Actor::new(seller, "seller"),
        now: t0(),
    }
}

/// Makes the database refuse listings titled [`REFUSED`], as a constraint would: a row that
/// fails inside a batch's transaction.
async fn refuse_title(db: &DatabaseConnection, backend: Backend) {
    let statements: Vec<String> = match backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_title BEFORE INSERT ON listings WHEN NEW.title = '{REFUSED}' \
             BEGIN SELECT RAISE(ABORT, 'refused title'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION refuse_title() RETURNS trigger AS $$ BEGIN \
                 IF NEW.title = '{REFUSED}' THEN RAISE EXCEPTION 'refused title'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_title BEFORE INSERT ON listings \
             FOR EACH ROW EXECUTE FUNCTION refuse_title()"
                .to_owned(),
        ],
    };
    for sql in statements {
        db.execute_unprepared(&sql).await.expect("create trigger");
    }
}

/// 30 new listings by four sellers (every third held, every fifth blocked), the third seller
/// suspended.
fn mixed_batch() -> Vec<CreateRequest> {
    (0..30)
        .map(|n| {
            let decision = match n {
                n if n % 5 == 0 => Decision::Block,
                n if n % 3 == 0 => Decision::HoldForReview,
                _ => Decision::Publish,
            };
            request(
                &format!("seller-{}", n % 4),
                &format!("req-{n}"),
                &format!("Bag {n}"),
                decision,
            )
        })
        .collect()
}

/// The view as a later read returns it, measures in a fixed order.
async fn reread(db: &DatabaseConnection, listing_id: &str) -> ListingView {
    let mut view = get_listing(db, listing_id).await.expect("read back");
    view.measures.sort_by_key(|m| m.kind);
    view
}

fn sorted(mut view: ListingView) -> ListingView {
    view.measures.sort_by_key(|m| m.kind);
    view
}

#[tokio::test]
async fn a_batch_answers_each_item_as_if_written_alone() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        refuse_title(db, test_db.backend).await;
        suspend_seller(db, "seller-2", "susp-1", "three strikes", &actor(), t0())
            .await
            .expect("suspend");
        let earlier = create(db, "seller-0", "req-earlier", Decision::Publish).await;

        let mut batch = mixed_batch();
        // A repeat within the batch, a conflicting reuse within it, a repeat of an earlier
        // request, a conflicting reuse of it, and a row the database refuses.
        batch.push(request("seller-1", "req-1", "Bag 1", Decision::Publish));
        batch.push(request(
            "seller-2",
            "req-2",
            "Another bag",
            Decision::Publish,
        ));
        batch.push(request(
            "seller-0",
            "req-earlier",
            "Brown bag",
            Decision::Publish,
        ));
        batch.push(request(
            "seller-0",
            "req-earlier",
            "Changed",
            Decision::Publish,
        ));
        batch.push(request("seller-3", "req-refused", REFUSED, Decision::Block));
        let results = create_listings(db, &Wake::new(), &batch).await;
        assert_eq!(results.len(), batch.len(), "{:?}", test_db.backend);

        let views: Vec<ListingView> = results[..30]
            .iter()
            .map(|r| r.clone().expect("new listing"))
            .collect();
        for (n, view) in views.iter().enumerate() {
            let expected = if n % 4 == 2 {
                ListingStatus::Suspended
            } else if n % 5 == 0 {
                ListingStatus::Blocked
            } else if n % 3 == 0 {
                ListingStatus::Held
            } else {
                ListingStatus::Active
            };
            assert_eq!(view.status, expected, "listing {n}");
            assert_eq!(
                sorted(view.clone()),
                reread(db, &view.listing_id).await,
                "the answer equals a later read ({:?})",
                test_db.backend
            );
        }
        assert_eq!(
            results[30].as_ref().expect("repeat").listing_id,
            views[1].listing_id
        );
        assert_eq!(
            results[31].as_ref().expect_err("reuse").code(),
            ErrorCode::AlreadyExists
        );
        assert_eq!(results[32].as_ref().expect("repeat"), &earlier);
        assert_eq!(
            results[33].as_ref().expect_err("reuse").code(),
            ErrorCode::AlreadyExists
        );
        assert!(results[34].is_err(), "the refused row fails");

        // Exactly the 30 new listings were stored besides the earlier one, each held or blocked
        // one with its notice.
        let notices = views
            .iter()
            .filter(|v| v.screening.assessment.decision != Decision::Publish)
            .count();
        assert_eq!(pending_notices(db).await, notices as u64);
        let all = list_listings(
            db,
            &ListingFilter {
                seller_id: None,
                status: None,
                visibility: Visibility::All,
            },
            &PageRequest::parse(100, "").expect("page"),
        )
        .await
        .expect("list");
        assert_eq!(all.items.len(), 31);
    }
}

#[tokio::test]
async fn concurrent_creates_through_the_writer_are_committed_once_each() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        refuse_title(db, test_db.backend).await;
        // Two writers over one database, as two replicas would be: the same request sent to
        // both races on the (seller, request id) key and resolves to one listing.
        let one = GroupCommit::start(db.clone(), Wake::new(), MAX_BATCH, LINGER);
        let two = GroupCommit::start(db.clone(), Wake::new(), 8, std::time::Duration::ZERO);
        let mut calls = Vec::new();
        for n in 0..60 {
            let title = if n == 17 {
                REFUSED.to_owned()
            } else {
                format!("Bag {n}")
            };
            let item = request(
                &format!("seller-{}", n % 5),
                &format!("req-{n}"),
                &title,
                Decision::HoldForReview,
            );
            calls.push((n, one.create(item.clone())));
            if n % 3 == 0 {
                calls.push((n, two.create(item)));
            }
        }
        let (numbers, futures): (Vec<usize>, Vec<_>) = calls.into_iter().unzip();
        let results = join_all(futures).await;
        let mut ids: HashMap<usize, String> = HashMap::new();
        for (n, result) in numbers.into_iter().zip(results) {
            if n == 17 {
                assert!(
                    result.is_err(),
                    "the refused row fails ({:?})",
                    test_db.backend
                );
                continue;
            }
            let view =
                result.unwrap_or_else(|e| panic!("listing {n}: {e} ({:?})", test_db.backend));
            assert_eq!(view.status, ListingStatus::Held);
            let first = ids.entry(n).or_insert_with(|| view.listing_id.clone());
            assert_eq!(first, &view.listing_id, "request {n} is one listing");
        }
        assert_eq!(ids.len(), 59);
        assert_eq!(pending_notices(db).await, 59, "one notice per listing");
    }
}

#[tokio::test]
async fn text_postgresql_cannot_store_fails_only_its_own_item() {
    let Some(test_db) = TestDatabase::postgres().await else {
        return;
    };
    Migrator::up(&test_db.db, None).await.expect("migrate");
    let db = &test_db.db;
    let mut batch = mixed_batch();
    batch.push(request(
        "seller-1",
        "req-nul",
        "Bag\0with NUL",
        Decision::Publish,
    ));
    let results = create_listings(db, &Wake::new(), &batch).await;
    assert!(results[..30].iter().all(Result::is_ok));
    assert_eq!(
        results[30].as_ref().expect_err("NUL").code(),
        ErrorCode::InvalidArgument
    );
}

/// With the service's dispatcher running, a batch's notices are written already claimed for it
/// and handed over — all of them, though the batch's requests arrived at different times — so
/// no sweep has to find them (the dispatcher here sweeps only at start).
#[tokio::test]
async fn a_batch_hands_every_notice_to_the_running_dispatcher() {
    use genuine_runtime::outbox::{Dispatcher, DispatcherConfig, Handlers, Message};
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let clock: genuine_runtime::clock::SharedClock =
            std::sync::Arc::new(genuine_runtime::clock::ManualClock::at(t0()));
        let delivered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let handlers = Handlers::new().with_fn(crate::store::notices::SUBMIT_NOTICE, {
            let delivered = delivered.clone();
            move |m: Message| {
                delivered.lock().expect("lock").push((m.key, m.attempts));
                async { Ok(()) }
            }
        });
        let config = DispatcherConfig {
            poll_interval: std::time::Duration::from_secs(3600),
            ..DispatcherConfig::default()
        };
        let dispatcher = Dispatcher::new(db.clone(), handlers, clock, config);
        let wake = dispatcher.waker();
        let shutdown = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(dispatcher.run(shutdown.clone()));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;

        let batch: Vec<CreateRequest> = (0..6)
            .map(|n| CreateRequest {
                now: t0() + chrono::TimeDelta::milliseconds(n),
                ..request(
                    "seller-1",
                    &format!("req-{n}"),
                    "Bag",
                    Decision::HoldForReview,
                )
            })
            .collect();
        let results = create_listings(db, &wake, &batch).await;
        assert!(results.iter().all(Result::is_ok), "{:?}", test_db.backend);
        let began = std::time::Instant::now();
        while delivered.lock().expect("lock").len() < batch.len() {
            assert!(
                began.elapsed() < std::time::Duration::from_secs(5),
                "{:?}: only {:?} handed over",
                test_db.backend,
                delivered.lock().expect("lock")
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        shutdown.cancel();
        task.await.expect("stops");
        let delivered = delivered.lock().expect("lock").clone();
        assert!(
            delivered.iter().all(|(_, attempts)| *attempts == 1),
            "{delivered:?}"
        );
    }
}
