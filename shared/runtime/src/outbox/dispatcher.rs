//! The task that delivers due items: claim a batch, deliver each (bounded concurrency, outside any
//! transaction), record the outcomes (deliveries together, within a few milliseconds), wait for
//! the next poll or a wake-up. Rows a writer handed over ([`Wake::hand_over`]) were claimed in
//! its transaction: they are delivered the same way, without a sweep.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use sea_orm::{DatabaseConnection, DbErr};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::backoff::full_jitter;
use super::claim::{Outcome, claim, finish, finish_delivered, release};
use super::message::context_from_trace_parent;
use super::wake::{Handover, Wake};
use super::{Failure, Handlers, Message};
use crate::clock::{SharedClock, to_millis};

/// How long a delivered message waits for others of its sweep before the deliveries are
/// recorded together: short against the lease, so a recorded delivery is not claimed again.
const RECORD_DELIVERED_WITHIN: Duration = Duration::from_millis(20);

/// What became of one delivery within a sweep.
enum Delivery {
    /// Delivered; to be recorded with the sweep's other deliveries.
    Delivered(i64),
    /// A retry or park, recorded at once: whether the record held (our lease was still valid).
    Recorded(bool),
}

/// Deliveries of a sweep not recorded yet, and when they must be at the latest.
#[derive(Default)]
struct DeliveredBatch {
    ids: Vec<i64>,
    record_by: Option<tokio::time::Instant>,
}

impl DeliveredBatch {
    fn push(&mut self, id: i64) {
        self.record_by
            .get_or_insert_with(|| tokio::time::Instant::now() + RECORD_DELIVERED_WITHIN);
        self.ids.push(id);
    }

    fn take(&mut self) -> Vec<i64> {
        self.record_by = None;
        std::mem::take(&mut self.ids)
    }
}

/// How the dispatcher paces itself. The defaults suit production and tests alike.
#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// Rows claimed per sweep.
    pub batch_size: usize,
    /// Wait between sweeps when nothing wakes the dispatcher: bounds how late a deadline fires.
    pub poll_interval: Duration,
    /// How long a claim lasts: a crashed replica's rows are claimed again after it.
    pub lease: Duration,
    /// Longest a single delivery may take; kept well under `lease` so a slow delivery is not
    /// claimed twice. Exceeding it counts as a retryable failure.
    pub delivery_timeout: Duration,
    /// Attempts after which a retryable failure parks the message (visible, not dropped).
    pub max_attempts: u32,
    /// Attempts after which a `RetryFew` failure (a bug at the receiver) parks the message.
    pub suspect_attempts: u32,
    /// First retry waits up to this long; each further retry doubles it.
    pub backoff_base: Duration,
    /// Longest wait between retries.
    pub backoff_cap: Duration,
    /// Deliveries in flight at once within a sweep.
    pub concurrency: usize,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            batch_size: 32,
            poll_interval: Duration::from_millis(200),
            lease: Duration::from_secs(30),
            delivery_timeout: Duration::from_secs(10),
            max_attempts: 20,
            suspect_attempts: 3,
            backoff_base: Duration::from_millis(200),
            backoff_cap: Duration::from_secs(300),
            concurrency: 8,
        }
    }
}

/// Delivers the queue of one service's database. Run one per process; replicas share the work.
#[derive(Debug)]
pub struct Dispatcher {
    db: DatabaseConnection,
    handlers: Handlers,
    clock: SharedClock,
    config: DispatcherConfig,
    wake: Wake,
}

impl Dispatcher {
    /// A dispatcher over `db` delivering with `handlers`.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        handlers: Handlers,
        clock: SharedClock,
        config: DispatcherConfig,
    ) -> Self {
        Self {
            db,
            handlers,
            clock,
            config,
            wake: Wake::new(),
        }
    }

    /// Uses `wake` (created before the dispatcher, say for the gRPC service) as its wake-up handle.
    #[must_use]
    pub fn with_wake(mut self, wake: Wake) -> Self {
        self.wake = wake;
        self
    }

    /// The handle that wakes this dispatcher.
    #[must_use]
    pub fn waker(&self) -> Wake {
        self.wake.clone()
    }

    /// Sweeps until `shutdown`: then claims nothing more, lets in-flight deliveries finish,
    /// releases claimed rows not yet started (handed over ones too), and returns.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(kinds = ?self.handlers.kinds(), "outbox dispatcher started");
        self.wake
            .attach(i64::try_from(self.config.lease.as_millis()).ok());
        let mut next_sweep = tokio::time::Instant::now();
        while !shutdown.is_cancelled() {
            for handover in self.wake.take_handed() {
                self.deliver_handover(handover, &shutdown).await;
            }
            if tokio::time::Instant::now() >= next_sweep {
                let pause = match self.sweep(&shutdown).await {
                    // A full batch means more may be due: go again at once.
                    Ok(handled) if handled >= self.config.batch_size => Duration::ZERO,
                    Ok(_) => self.config.poll_interval,
                    Err(error) => {
                        tracing::warn!(%error, "outbox sweep failed; retrying shortly");
                        // Not every poll while the database is away: that only fills the log.
                        self.config.poll_interval.max(Duration::from_secs(1))
                    }
                };
                next_sweep = tokio::time::Instant::now() + pause;
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.wake.sweep_wanted() => next_sweep = tokio::time::Instant::now(),
                () = self.wake.handover_waiting() => {}
                () = tokio::time::sleep_until(next_sweep) => {}
            }
        }
        self.wake.attach(None);
        for handover in self.wake.take_handed() {
            let ids: Vec<i64> = handover.messages.iter().map(|m| m.id).collect();
            self.release_unstarted(&ids, handover.lease_until).await;
        }
        tracing::info!("outbox dispatcher stopped");
    }

    /// One sweep: claims one batch of due rows and delivers it. Answers how many were handled
    /// (delivered, retried or parked). For tests and operators.
    ///
    /// # Errors
    /// The database error of the claim.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        self.sweep(&CancellationToken::new()).await
    }

    async fn sweep(&self, shutdown: &CancellationToken) -> Result<usize, DbErr> {
        let now = self.clock.now();
        let lease = TimeDelta::from_std(self.config.lease).unwrap_or(TimeDelta::seconds(30));
        let claimed = claim(&self.db, now, lease, self.config.batch_size.max(1)).await?;
        Ok(self
            .deliver_claimed(claimed.messages, claimed.lease_until, shutdown)
            .await)
    }

    /// Delivers rows a writer claimed for this dispatcher. Those whose lease has too little left
    /// for a delivery are left to expire and be claimed again, so no delivery outlives its lease.
    async fn deliver_handover(&self, handover: Handover, shutdown: &CancellationToken) -> usize {
        let latest_start = to_millis(self.clock.now())
            .saturating_add(i64::try_from(self.config.delivery_timeout.as_millis()).unwrap_or(0));
        if handover.lease_until <= latest_start {
            tracing::warn!(
                count = handover.messages.len(),
                "outbox handover taken too late for its lease; left for a sweep"
            );
            return 0;
        }
        self.deliver_claimed(handover.messages, handover.lease_until, shutdown)
            .await
    }

    /// Delivers `messages`, claimed until `lease_until`, and records the outcomes. Answers how
    /// many outcomes were recorded.
    async fn deliver_claimed(
        &self,
        messages: Vec<Message>,
        lease_until: i64,
        shutdown: &CancellationToken,
    ) -> usize {
        if messages.is_empty() {
            return 0;
        }
        let mut waiting = messages.into_iter();
        let mut in_flight = FuturesUnordered::new();
        let mut unstarted = Vec::new();
        let mut delivered = DeliveredBatch::default();
        let mut handled = 0;
        loop {
            while in_flight.len() < self.config.concurrency.max(1) {
                let Some(message) = waiting.next() else { break };
                if shutdown.is_cancelled() {
                    unstarted.push(message.id);
                } else {
                    in_flight.push(self.deliver(message, lease_until));
                }
            }
            let next = match delivered.record_by {
                None => in_flight.next().await,
                Some(record_by) => tokio::select! {
                    next = in_flight.next() => next,
                    () = tokio::time::sleep_until(record_by) => {
                        handled += self.record_delivered(&mut delivered, lease_until).await;
                        continue;
                    }
                },
            };
            match next {
                Some(Delivery::Recorded(true)) => handled += 1,
                Some(Delivery::Recorded(false)) => {}
                Some(Delivery::Delivered(id)) => {
                    delivered.push(id);
                    if delivered.ids.len() >= self.config.batch_size.max(1) {
                        handled += self.record_delivered(&mut delivered, lease_until).await;
                    }
                }
                None => break,
            }
        }
        handled += self.record_delivered(&mut delivered, lease_until).await;
        self.release_unstarted(&unstarted, lease_until).await;
        handled
    }

    /// Gives up the claim on rows not started at shutdown, so another replica takes them now.
    async fn release_unstarted(&self, ids: &[i64], lease_until: i64) {
        if ids.is_empty() {
            return;
        }
        match release(&self.db, ids, lease_until).await {
            Ok(released) => tracing::info!(released, "outbox claims released at shutdown"),
            // The lease expires anyway; another replica picks them up then.
            Err(error) => tracing::warn!(%error, "could not release outbox claims"),
        }
    }

    /// Records the deliveries gathered in `delivered` in one statement and empties it. Answers
    /// how many were recorded.
    async fn record_delivered(&self, delivered: &mut DeliveredBatch, lease_until: i64) -> usize {
        let ids = delivered.take();
        if ids.is_empty() {
            return 0;
        }
        match finish_delivered(&self.db, &ids, lease_until, self.clock.now()).await {
            Ok(recorded) => {
                let lost = ids.len() as u64 - recorded.min(ids.len() as u64);
                if lost > 0 {
                    tracing::warn!(
                        lost,
                        "outbox lease lost before deliveries were recorded; they may be delivered again"
                    );
                }
                usize::try_from(recorded).unwrap_or(usize::MAX)
            }
            Err(error) => {
                tracing::warn!(%error, count = ids.len(), "could not record outbox deliveries; they will be delivered again");
                0
            }
        }
    }

    /// Delivers one message. A delivery is recorded later with others of the sweep
    /// ([`Delivery::Delivered`]); a retry or park is recorded at once.
    async fn deliver(&self, message: Message, lease_until: i64) -> Delivery {
        let span = tracing::info_span!(
            "outbox.deliver",
            otel.name = "outbox.deliver",
            outbox.id = message.id,
            outbox.kind = %message.kind,
            outbox.key = %message.key,
            outbox.attempt = message.attempts,
        );
        if message.trace_parent.is_some() {
            // Fails only when no OpenTelemetry layer is installed: then there is no trace to join.
            let _ = span.set_parent(context_from_trace_parent(message.trace_parent.as_deref()));
        }
        async {
            let result = self.attempt(&message).await;
            let now = self.clock.now();
            let outcome = self.outcome(&message, result, now);
            match &outcome {
                Outcome::Delivered => {
                    tracing::debug!("outbox message delivered");
                    return Delivery::Delivered(message.id);
                }
                Outcome::Retry { due_at, error } => {
                    tracing::info!(%error, retry_at = %due_at, "outbox delivery failed; will retry");
                }
                Outcome::Parked { error } => tracing::warn!(%error, "outbox message parked"),
            }
            Delivery::Recorded(match finish(&self.db, message.id, lease_until, now, outcome).await {
                Ok(true) => true,
                Ok(false) => {
                    tracing::warn!("outbox lease lost before the outcome was recorded; it may be delivered again");
                    false
                }
                Err(error) => {
                    tracing::warn!(%error, "could not record outbox outcome; it will be delivered again");
                    false
                }
            })
        }
        .instrument(span)
        .await
    }

    /// Runs the handler for `message`, within the delivery timeout.
    async fn attempt(&self, message: &Message) -> Result<(), Failure> {
        let Some(handler) = self.handlers.get(&message.kind) else {
            return Err(Failure::Park(format!(
                "no handler for kind {:?}",
                message.kind
            )));
        };
        // Attempts are counted at claim time; far more than allowed means deliveries keep dying
        // without an outcome (a message that crashes its process): stop feeding it to handlers.
        if message.attempts > self.config.max_attempts.saturating_add(1) {
            return Err(Failure::Park(format!(
                "claimed {} times without a recorded outcome (crashes or lost leases)",
                message.attempts
            )));
        }
        let timeout = self.config.delivery_timeout;
        tokio::time::timeout(timeout, handler.handle(message))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Retry(format!(
                    "delivery took longer than {timeout:?}"
                )))
            })
    }

    /// What to record for a delivery that ended with `result`.
    fn outcome(
        &self,
        message: &Message,
        result: Result<(), Failure>,
        now: DateTime<Utc>,
    ) -> Outcome {
        let config = &self.config;
        let (error, limit) = match result {
            Ok(()) => return Outcome::Delivered,
            Err(Failure::Park(error)) => return Outcome::Parked { error },
            Err(Failure::Retry(error)) => (error, config.max_attempts),
            Err(Failure::RetryFew(error)) => {
                (error, config.suspect_attempts.min(config.max_attempts))
            }
        };
        if message.attempts >= limit {
            return Outcome::Parked {
                error: format!("gave up after {} attempts: {error}", message.attempts),
            };
        }
        let wait = full_jitter(message.attempts, config.backoff_base, config.backoff_cap);
        let due_at = now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::days(1));
        Outcome::Retry { due_at, error }
    }
}
