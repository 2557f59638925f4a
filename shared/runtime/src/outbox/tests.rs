//! The queue on every backend: enqueue, delivery, retry, park, deadlines, leases, replicas.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::clock::{Clock, ManualClock, SharedClock, from_millis};
use crate::storage::testing::{Backend, TestDatabase};
use crate::storage::{StorageConfig, begin_write, connect};

mod handover;

/// A service's migrator, as far as the outbox is concerned.
struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(OutboxMigration)]
    }
}

const KIND: &str = "test.notify";

async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all_migrated::<Migrator>().await
}

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid time")
}

fn config() -> DispatcherConfig {
    DispatcherConfig {
        max_attempts: 5,
        ..DispatcherConfig::default()
    }
}

/// [`config`] sweeping once an hour: in a test, only at start.
fn hourly_config() -> DispatcherConfig {
    DispatcherConfig {
        poll_interval: Duration::from_secs(3600),
        ..config()
    }
}

fn dispatcher(
    db: &DatabaseConnection,
    handlers: Handlers,
    clock: &ManualClock,
    config: DispatcherConfig,
) -> Dispatcher {
    let shared: SharedClock = Arc::new(clock.clone());
    Dispatcher::new(db.clone(), handlers, shared, config)
}

/// One delivery as a handler saw it: (key, payload, attempt).
type Delivery = (String, Vec<u8>, u32);

/// Records every delivery.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Delivery>>>);

impl Recorder {
    fn handlers(&self, kind: &str) -> Handlers {
        let seen = self.0.clone();
        Handlers::new().with_fn(kind, move |m: Message| {
            let seen = seen.clone();
            async move {
                seen.lock()
                    .expect("lock")
                    .push((m.key, m.payload, m.attempts));
                Ok(())
            }
        })
    }

    fn seen(&self) -> Vec<Delivery> {
        self.0.lock().expect("lock").clone()
    }
}

/// A handler failing with `failure` the first `failures` times, then succeeding.
fn flaky(failures: u32, failure: Failure, calls: Arc<AtomicU32>) -> Handlers {
    Handlers::new().with_fn(KIND, move |_m: Message| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        let failure = failure.clone();
        async move {
            if call < failures {
                Err(failure)
            } else {
                Ok(())
            }
        }
    })
}

async fn put(db: &DatabaseConnection, key: &str, due_at: DateTime<Utc>) -> bool {
    enqueue(
        db,
        NewMessage::deadline(KIND, key, key.as_bytes().to_vec(), due_at),
    )
    .await
    .expect("enqueue")
}

/// (status, attempts, due_at, claimed_until) of one row.
async fn row(db: &DatabaseConnection, key: &str) -> (String, i32, DateTime<Utc>, Option<i64>) {
    let stmt = super::sql::statement(
        db.get_database_backend(),
        "SELECT status, attempts, due_at, claimed_until FROM outbox WHERE \"key\" = ?",
        vec![key.into()],
    );
    let row = db
        .query_one_raw(stmt)
        .await
        .expect("query")
        .expect("row exists");
    (
        row.try_get("", "status").expect("status"),
        row.try_get("", "attempts").expect("attempts"),
        from_millis(row.try_get("", "due_at").expect("due_at")),
        row.try_get("", "claimed_until").expect("claimed_until"),
    )
}

async fn count(db: &DatabaseConnection) -> i64 {
    let stmt = super::sql::statement(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM outbox",
        vec![],
    );
    db.query_one_raw(stmt)
        .await
        .expect("count")
        .expect("row")
        .try_get("", "n")
        .expect("n")
}

#[tokio::test]
async fn enqueue_is_idempotent_and_follows_the_transaction() {
    for t in databases().await {
        let db = &t.db;
        assert!(put(db, "a", start()).await, "{:?}", t.backend);
        assert!(
            !put(db, "a", start()).await,
            "same (kind, key) again inserts nothing"
        );
        let other = NewMessage::deadline("test.other", "a", vec![], start());
        assert!(
            enqueue(db, other).await.expect("enqueue"),
            "same key, other kind is another row"
        );

        let txn = begin_write(db).await.expect("begin");
        let msg = NewMessage::deadline(KIND, "rolled-back", vec![1], start());
        assert!(enqueue(&txn, msg).await.expect("enqueue in txn"));
        txn.rollback().await.expect("rollback");
        assert_eq!(count(db).await, 2, "{:?}", t.backend);

        let txn = db.begin().await.expect("begin");
        assert!(
            enqueue(
                &txn,
                NewMessage::deadline(KIND, "committed", vec![], start())
            )
            .await
            .expect("enqueue")
        );
        txn.commit().await.expect("commit");
        assert_eq!(count(db).await, 3);
    }
}

#[tokio::test]
async fn a_message_is_delivered_once_with_its_payload() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, config());
        enqueue(&t.db, NewMessage::now(KIND, "k1", vec![7, 8, 9], &clock))
            .await
            .expect("enqueue");

        assert_eq!(d.run_once().await.expect("sweep"), 1, "{:?}", t.backend);
        assert_eq!(d.run_once().await.expect("sweep"), 0);
        clock.advance(TimeDelta::hours(1));
        assert_eq!(d.run_once().await.expect("sweep"), 0);
        assert_eq!(recorder.seen(), vec![("k1".to_owned(), vec![7, 8, 9], 1)]);
        assert_eq!(row(&t.db, "k1").await.0, "delivered");
    }
}

#[tokio::test]
async fn retryable_failures_back_off_then_deliver() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let calls = Arc::new(AtomicU32::new(0));
        let handlers = flaky(2, Failure::Retry("peer down".into()), calls.clone());
        let cfg = config();
        let d = dispatcher(&t.db, handlers, &clock, cfg.clone());
        put(&t.db, "k", start()).await;

        for attempt in 1..=2u32 {
            let now = clock.now();
            assert_eq!(d.run_once().await.expect("sweep"), 1);
            let (status, attempts, due_at, claimed) = row(&t.db, "k").await;
            assert_eq!(
                (status.as_str(), attempts, claimed),
                ("pending", i32::try_from(attempt).expect("small"), None)
            );
            let ceiling = backoff_ceiling(attempt, cfg.backoff_base, cfg.backoff_cap);
            assert!(
                due_at >= now && due_at <= now + TimeDelta::from_std(ceiling).expect("small"),
                "{:?}",
                t.backend
            );
            if due_at > now {
                assert_eq!(
                    d.run_once().await.expect("sweep"),
                    0,
                    "not before its backoff"
                );
            }
            clock.set(due_at);
        }
        assert_eq!(d.run_once().await.expect("sweep"), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(row(&t.db, "k").await.0, "delivered");
    }
}

#[tokio::test]
async fn a_park_failure_parks_at_once_until_an_operator_retries() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let calls = Arc::new(AtomicU32::new(0));
        let handlers = flaky(
            1,
            tonic::Status::invalid_argument("bad notice").into(),
            calls.clone(),
        );
        let d = dispatcher(&t.db, handlers, &clock, config());
        put(&t.db, "k", start()).await;

        assert_eq!(d.run_once().await.expect("sweep"), 1);
        assert_eq!(row(&t.db, "k").await.0, "parked");
        clock.advance(TimeDelta::days(1));
        assert_eq!(
            d.run_once().await.expect("sweep"),
            0,
            "never delivered again by itself"
        );
        let list = parked(&t.db, 10).await.expect("parked");
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].key.as_str(), list[0].attempts), ("k", 1));
        assert!(
            list[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("bad notice")),
            "{list:?}"
        );

        assert!(retry_parked(&t.db, list[0].id).await.expect("retry"));
        assert!(
            !retry_parked(&t.db, list[0].id).await.expect("retry"),
            "no longer parked"
        );
        assert_eq!(d.run_once().await.expect("sweep"), 1);
        assert_eq!(row(&t.db, "k").await.0, "delivered");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn an_unknown_kind_is_parked_not_dropped() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let d = dispatcher(&t.db, Recorder::default().handlers(KIND), &clock, config());
        enqueue(&t.db, NewMessage::now("test.nobody", "k", vec![], &clock))
            .await
            .expect("enqueue");
        assert_eq!(d.run_once().await.expect("sweep"), 1);
        let list = parked(&t.db, 10).await.expect("parked");
        assert_eq!(list.len(), 1);
        assert!(
            list[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("no handler")),
            "{list:?}"
        );
    }
}

#[tokio::test]
async fn retries_are_bounded_by_max_attempts() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let calls = Arc::new(AtomicU32::new(0));
        let cfg = DispatcherConfig {
            max_attempts: 3,
            ..config()
        };
        let cap = TimeDelta::from_std(cfg.backoff_cap).expect("small");
        let d = dispatcher(
            &t.db,
            flaky(u32::MAX, Failure::Retry("down".into()), calls.clone()),
            &clock,
            cfg,
        );
        put(&t.db, "k", start()).await;
        for _ in 0..5 {
            d.run_once().await.expect("sweep");
            clock.advance(cap);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let list = parked(&t.db, 10).await.expect("parked");
        assert_eq!(list.len(), 1, "{:?}", t.backend);
        assert!(
            list[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("after 3 attempts"))
        );

        // A bug at the receiver (INTERNAL) is retried only a few times.
        let calls = Arc::new(AtomicU32::new(0));
        let handlers = Handlers::new().with_fn("test.buggy", {
            let calls = calls.clone();
            move |_m: Message| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(tonic::Status::internal("oops").into()) }
            }
        });
        let d = dispatcher(&t.db, handlers, &clock, config());
        enqueue(&t.db, NewMessage::now("test.buggy", "b", vec![], &clock))
            .await
            .expect("enqueue");
        for _ in 0..6 {
            d.run_once().await.expect("sweep");
            clock.advance(cap);
        }
        assert_eq!(calls.load(Ordering::SeqCst), config().suspect_attempts);
    }
}

#[tokio::test]
async fn a_deadline_fires_when_due_unless_cancelled() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, config());
        let due = start() + TimeDelta::days(15);
        put(&t.db, "window", due).await;
        put(&t.db, "closed", due).await;

        assert_eq!(d.run_once().await.expect("sweep"), 0);
        clock.advance(TimeDelta::days(15) - TimeDelta::seconds(1));
        assert_eq!(d.run_once().await.expect("sweep"), 0, "not a second early");
        assert!(cancel(&t.db, KIND, "closed").await.expect("cancel"));
        assert!(
            !cancel(&t.db, KIND, "closed").await.expect("cancel"),
            "already cancelled"
        );
        assert!(!cancel(&t.db, KIND, "unknown").await.expect("cancel"));

        clock.advance(TimeDelta::seconds(1));
        assert_eq!(d.run_once().await.expect("sweep"), 1, "{:?}", t.backend);
        let keys: Vec<String> = recorder.seen().into_iter().map(|(k, _, _)| k).collect();
        assert_eq!(keys, vec!["window".to_owned()]);
        assert_eq!(row(&t.db, "closed").await.0, "cancelled");
        assert!(
            !cancel(&t.db, KIND, "window").await.expect("cancel"),
            "delivered is final"
        );
    }
}

#[tokio::test]
async fn reschedule_moves_a_pending_deadline() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, config());
        put(&t.db, "w", start() + TimeDelta::days(1)).await;
        assert!(
            reschedule(&t.db, KIND, "w", start() + TimeDelta::days(2))
                .await
                .expect("reschedule")
        );
        clock.advance(TimeDelta::days(1));
        assert_eq!(d.run_once().await.expect("sweep"), 0);
        clock.advance(TimeDelta::days(1));
        assert_eq!(d.run_once().await.expect("sweep"), 1);
    }
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let cfg = config();
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, cfg.clone());
        put(&t.db, "k", start()).await;

        // A replica claims it and crashes before recording anything.
        let lease = TimeDelta::from_std(cfg.lease).expect("small");
        let crashed = super::claim::claim(&t.db, clock.now(), lease, 10)
            .await
            .expect("claim");
        assert_eq!(crashed.messages.len(), 1);
        assert_eq!(
            d.run_once().await.expect("sweep"),
            0,
            "the lease still holds"
        );
        clock.advance(lease + TimeDelta::milliseconds(1));
        assert_eq!(d.run_once().await.expect("sweep"), 1, "{:?}", t.backend);
        assert_eq!(
            recorder.seen(),
            vec![("k".to_owned(), b"k".to_vec(), 2)],
            "the crashed attempt counts"
        );

        // The crashed replica's late outcome cannot overwrite the newer one.
        let late = super::claim::finish(
            &t.db,
            crashed.messages[0].id,
            crashed.lease_until,
            clock.now(),
            super::claim::Outcome::Parked {
                error: "late".into(),
            },
        )
        .await
        .expect("finish");
        assert!(!late);
        assert_eq!(row(&t.db, "k").await.0, "delivered");
    }
}

#[tokio::test]
async fn the_backlog_counts_pending_due_parked_and_age() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let d = dispatcher(&t.db, Handlers::new(), &clock, config());
        let shared: SharedClock = Arc::new(clock.clone());
        assert_eq!(
            backlog(&t.db, shared.as_ref()).await.expect("backlog"),
            Backlog::default()
        );

        enqueue(&t.db, NewMessage::now("test.nobody", "p", vec![], &clock))
            .await
            .expect("enqueue");
        d.run_once().await.expect("sweep"); // parked: no handler
        put(&t.db, "a", start()).await;
        put(&t.db, "b", start() + TimeDelta::seconds(2)).await;
        put(&t.db, "later", start() + TimeDelta::days(15)).await;
        put(&t.db, "gone", start()).await;
        cancel(&t.db, KIND, "gone").await.expect("cancel");
        clock.advance(TimeDelta::seconds(5));

        let b = backlog(&t.db, shared.as_ref()).await.expect("backlog");
        assert_eq!(
            b,
            Backlog {
                pending: 3,
                due: 2,
                parked: 1,
                oldest_due_age: Some(Duration::from_secs(5)),
            },
            "{:?}",
            t.backend
        );
    }
}

#[tokio::test]
async fn shutdown_finishes_in_flight_and_releases_the_rest() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let started = Arc::new(tokio::sync::Notify::new());
        let proceed = Arc::new(tokio::sync::Notify::new());
        let delivered = Arc::new(AtomicU32::new(0));
        let handlers = Handlers::new().with_fn(KIND, {
            let (started, proceed, delivered) =
                (started.clone(), proceed.clone(), delivered.clone());
            move |_m: Message| {
                let (started, proceed, delivered) =
                    (started.clone(), proceed.clone(), delivered.clone());
                async move {
                    started.notify_one();
                    proceed.notified().await;
                    delivered.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            }
        });
        let cfg = DispatcherConfig {
            concurrency: 1,
            ..config()
        };
        for key in ["a", "b", "c"] {
            put(&t.db, key, start()).await;
        }
        let d = dispatcher(&t.db, handlers, &clock, cfg);
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(d.run(shutdown.clone()));
        started.notified().await;
        shutdown.cancel();
        proceed.notify_one();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("stops")
            .expect("no panic");

        assert_eq!(
            delivered.load(Ordering::SeqCst),
            1,
            "the in-flight delivery finished"
        );
        assert_eq!(row(&t.db, "a").await.0, "delivered");
        for key in ["b", "c"] {
            let (status, attempts, _, claimed) = row(&t.db, key).await;
            assert_eq!(
                (status.as_str(), attempts, claimed),
                ("pending", 0, None),
                "{key} released"
            );
        }
    }
}

/// Two replicas (two pools) draining one queue: each item is delivered exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_never_deliver_an_item_twice() {
    for t in databases().await {
        let items = if t.backend == Backend::Postgres {
            200
        } else {
            100
        };
        let clock = ManualClock::at(start());
        let per_key: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let handlers = Handlers::new().with_fn(KIND, {
            let per_key = per_key.clone();
            move |m: Message| {
                *per_key.lock().expect("lock").entry(m.key).or_default() += 1;
                async {
                    tokio::task::yield_now().await;
                    Ok(())
                }
            }
        });
        for i in 0..items {
            put(&t.db, &format!("k{i}"), start()).await;
        }
        let cfg = DispatcherConfig {
            batch_size: 7,
            concurrency: 4,
            ..config()
        };
        let second_pool = connect(&StorageConfig::new(t.url.clone()))
            .await
            .expect("second pool");
        let replicas = [
            dispatcher(&t.db, handlers.clone(), &clock, cfg.clone()),
            dispatcher(&second_pool, handlers, &clock, cfg),
        ];
        let shared: SharedClock = Arc::new(clock.clone());
        let runs = replicas.into_iter().map(|d| {
            let (db, shared) = (t.db.clone(), shared.clone());
            tokio::spawn(async move {
                let mut handled = 0;
                loop {
                    handled += d.run_once().await.expect("sweep");
                    if backlog(&db, shared.as_ref()).await.expect("backlog").due == 0 {
                        return handled;
                    }
                }
            })
        });
        let handled: Vec<usize> = futures::future::try_join_all(runs)
            .await
            .expect("replicas run");
        let per_key = per_key.lock().expect("lock").clone();
        assert_eq!(per_key.len(), items, "{:?}", t.backend);
        assert!(
            per_key.values().all(|&n| n == 1),
            "{:?}: some item delivered twice",
            t.backend
        );
        assert_eq!(handled.iter().sum::<usize>(), items);
        eprintln!("{:?}: replicas handled {handled:?}", t.backend);
    }
}

#[test]
fn a_stored_traceparent_becomes_the_parent_context() {
    use opentelemetry::trace::TraceContextExt;
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let cx = super::message::context_from_trace_parent(Some(
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ));
    let span = cx.span();
    let sc = span.span_context();
    assert!(sc.is_valid() && sc.is_remote());
    assert_eq!(
        sc.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    let empty = super::message::context_from_trace_parent(None);
    assert!(!empty.span().span_context().is_valid());
    assert_eq!(current_trace_parent(), None, "no span, no traceparent");
}

/// The span that enqueues is the parent of the span that delivers: one trace across the queue.
#[tokio::test]
async fn delivery_continues_the_trace_of_the_enqueuer() {
    use opentelemetry::trace::{TraceContextExt, TracerProvider};
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    use tracing_subscriber::layer::SubscriberExt;

    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    let _default = tracing::subscriber::set_default(subscriber);

    for t in databases().await {
        let clock = ManualClock::at(start());
        let seen_trace: Arc<Mutex<Option<String>>> = Arc::default();
        let handlers = Handlers::new().with_fn(KIND, {
            let seen_trace = seen_trace.clone();
            move |_m: Message| {
                let cx = tracing::Span::current().context();
                let trace_id = cx.span().span_context().trace_id().to_string();
                *seen_trace.lock().expect("lock") = Some(trace_id);
                async { Ok(()) }
            }
        });
        let d = dispatcher(&t.db, handlers, &clock, config());

        let cause = tracing::info_span!("cause");
        let (msg, trace_id) = cause.in_scope(|| {
            let trace_id = tracing::Span::current()
                .context()
                .span()
                .span_context()
                .trace_id();
            (
                NewMessage::now(KIND, "k", vec![], &clock),
                trace_id.to_string(),
            )
        });
        let trace_parent = msg
            .trace_parent
            .clone()
            .expect("traceparent captured from the span");
        assert!(
            trace_parent.contains(&trace_id),
            "{trace_parent} names {trace_id}"
        );
        enqueue(&t.db, msg).await.expect("enqueue");

        // Other tests in this binary create and drop subscribers on other threads, racing
        // tracing's global callsite cache; recompute it with ours alive so the span is enabled.
        tracing::callsite::rebuild_interest_cache();
        assert_eq!(d.run_once().await.expect("sweep"), 1);
        assert_eq!(
            seen_trace.lock().expect("lock").clone(),
            Some(trace_id),
            "{:?}",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_message_that_keeps_dying_mid_delivery_is_parked() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let calls = Arc::new(AtomicU32::new(0));
        let d = dispatcher(
            &t.db,
            flaky(0, Failure::Park(String::new()), calls.clone()),
            &clock,
            config(),
        );
        put(&t.db, "poison", start()).await;
        // As if every earlier claim had crashed its process before recording an outcome.
        let stmt = super::sql::statement(
            t.db.get_database_backend(),
            "UPDATE outbox SET attempts = ? WHERE \"key\" = ?",
            vec![
                i32::try_from(config().max_attempts + 5)
                    .expect("small")
                    .into(),
                "poison".into(),
            ],
        );
        t.db.execute_raw(stmt).await.expect("update");
        assert_eq!(d.run_once().await.expect("sweep"), 1);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "not handed to the handler again"
        );
        assert_eq!(row(&t.db, "poison").await.0, "parked");
    }
}

#[tokio::test]
async fn metrics_refresh_until_shutdown() {
    for t in databases().await {
        let shutdown = CancellationToken::new();
        let task = register_metrics(
            t.db.clone(),
            Arc::new(ManualClock::at(start())),
            "test",
            Duration::from_millis(10),
            shutdown.clone(),
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .expect("stops")
            .expect("no panic");
    }
}

/// On the wall clock, a deadline fires within about one poll interval of expiring.
#[tokio::test]
async fn a_running_dispatcher_fires_a_deadline_on_time() {
    for t in databases().await {
        let clock = crate::clock::system();
        let fired: Arc<Mutex<Option<DateTime<Utc>>>> = Arc::default();
        let handlers = Handlers::new().with_fn(KIND, {
            let fired = fired.clone();
            move |_m: Message| {
                *fired.lock().expect("lock") = Some(Utc::now());
                async { Ok(()) }
            }
        });
        let due = clock.now() + TimeDelta::milliseconds(500);
        put(&t.db, "soon", due).await;
        let d = Dispatcher::new(t.db.clone(), handlers, clock, DispatcherConfig::default());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(d.run(shutdown.clone()));
        let began = std::time::Instant::now();
        while fired.lock().expect("lock").is_none() {
            assert!(
                began.elapsed() < Duration::from_secs(3),
                "deadline never fired"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        shutdown.cancel();
        task.await.expect("stops");
        let late = fired.lock().expect("lock").expect("fired") - due;
        eprintln!(
            "{:?}: deadline fired {} ms after it expired",
            t.backend,
            late.num_milliseconds()
        );
        assert!(
            late >= TimeDelta::zero() && late < TimeDelta::milliseconds(600),
            "{late}"
        );
    }
}
