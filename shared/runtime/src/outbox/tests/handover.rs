//! Waking the dispatcher, and handing it rows claimed in the writer's own transaction.

use super::*;

#[tokio::test]
async fn a_wake_up_delivers_without_waiting_for_the_poll() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let cfg = hourly_config();
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, cfg);
        let wake = d.waker();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(d.run(shutdown.clone()));
        tokio::time::sleep(Duration::from_millis(50)).await;

        put(&t.db, "k", start()).await;
        wake.wake();
        wait_for_deliveries(&recorder, 1, "woken dispatcher delivers at once").await;
        shutdown.cancel();
        task.await.expect("stops");
    }
}

/// Waits until `recorder` has seen `n` deliveries, failing after two seconds.
async fn wait_for_deliveries(recorder: &Recorder, n: usize, what: &str) {
    let began = std::time::Instant::now();
    while recorder.seen().len() < n {
        assert!(began.elapsed() < Duration::from_secs(2), "{what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A writer's rows claimed in its own transaction are delivered once handed over, with no
/// sweep: the dispatcher here polls once an hour and is never woken.
#[tokio::test]
async fn a_handed_over_message_is_delivered_without_a_sweep() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let cfg = hourly_config();
        let lease_ms = i64::try_from(cfg.lease.as_millis()).expect("small");
        let d = dispatcher(&t.db, recorder.handlers(KIND), &clock, cfg);
        let wake = d.waker();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(d.run(shutdown.clone()));
        // The first sweep (of an empty queue) and the dispatcher's attaching happen at start.
        tokio::time::sleep(Duration::from_millis(100)).await;

        let txn = begin_write(&t.db).await.expect("begin");
        let messages = vec![
            NewMessage::now(KIND, "now", b"now".to_vec(), &clock),
            NewMessage::deadline(
                KIND,
                "later",
                b"later".to_vec(),
                start() + TimeDelta::days(15),
            ),
        ];
        let handover = enqueue_for_handover(&txn, messages, clock.now(), &wake)
            .await
            .expect("enqueue");
        assert_eq!(
            handover.len(),
            1,
            "{:?}: only what is due is claimed",
            t.backend
        );
        txn.commit().await.expect("commit");
        assert_eq!(
            row(&t.db, "now").await,
            (
                "pending".to_owned(),
                1,
                start(),
                Some(crate::clock::to_millis(start()) + lease_ms)
            ),
            "{:?}: claimed as its first attempt",
            t.backend
        );
        assert_eq!(
            row(&t.db, "later").await.3,
            None,
            "a deadline is not claimed"
        );

        wake.hand_over(handover);
        wait_for_deliveries(&recorder, 1, "a handover is delivered at once").await;
        assert_eq!(
            recorder.seen(),
            vec![("now".to_owned(), b"now".to_vec(), 1)]
        );
        let began = std::time::Instant::now();
        while row(&t.db, "now").await.0 != "delivered" {
            assert!(
                began.elapsed() < Duration::from_secs(2),
                "delivery recorded"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        shutdown.cancel();
        task.await.expect("stops");
        assert_eq!(row(&t.db, "later").await.0, "pending");
        assert_eq!(recorder.seen().len(), 1, "nothing delivered twice");
    }
}

/// Without a running dispatcher nothing is claimed (a sweep finds the rows); a claimed row
/// whose handover was lost with its process is claimed again once the lease expires.
#[tokio::test]
async fn without_a_dispatcher_rows_stay_unclaimed_and_a_lost_handover_expires() {
    for t in databases().await {
        let clock = ManualClock::at(start());
        let recorder = Recorder::default();
        let idle = Wake::new();
        let unattached = enqueue_for_handover(
            &t.db,
            vec![NewMessage::now(KIND, "plain", b"plain".to_vec(), &clock)],
            clock.now(),
            &idle,
        )
        .await
        .expect("enqueue");
        assert!(unattached.is_empty());
        assert_eq!(
            row(&t.db, "plain").await.1,
            0,
            "{:?}: not claimed",
            t.backend
        );
        idle.hand_over(unattached);

        // A process whose dispatcher runs claims a row, then dies before handing it over.
        let cfg = hourly_config();
        let dying = dispatcher(&t.db, Handlers::new(), &clock, cfg.clone());
        let dying_wake = dying.waker();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(dying.run(shutdown.clone()));
        // Its first sweep claims and delivers "plain" to no handler: parked. Wait for that.
        let began = std::time::Instant::now();
        while row(&t.db, "plain").await.0 != "parked" {
            assert!(began.elapsed() < Duration::from_secs(2), "first sweep ran");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let lost = enqueue_for_handover(
            &t.db,
            vec![NewMessage::now(KIND, "lost", b"lost".to_vec(), &clock)],
            clock.now(),
            &dying_wake,
        )
        .await
        .expect("enqueue");
        assert_eq!(lost.len(), 1);
        drop(lost);
        shutdown.cancel();
        task.await.expect("stops");

        let survivor = dispatcher(&t.db, recorder.handlers(KIND), &clock, cfg.clone());
        assert_eq!(
            survivor.run_once().await.expect("sweep"),
            0,
            "the lease holds"
        );
        clock.advance(TimeDelta::from_std(cfg.lease).expect("small") + TimeDelta::milliseconds(1));
        assert_eq!(
            survivor.run_once().await.expect("sweep"),
            1,
            "{:?}",
            t.backend
        );
        assert_eq!(
            recorder.seen(),
            vec![("lost".to_owned(), b"lost".to_vec(), 2)],
            "the lost attempt counts"
        );
    }
}
