//! The load driver: closed loop (a fixed number of workers, each sending its next request when
//! the last one answered: the throughput the system sustains) and open loop (requests started at
//! a fixed rate whatever the answers: latency at a given load, measured from when each request
//! was due, so a stall is not hidden by the requests it delayed — no coordinated omission).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// One request's outcome: `Err` carries the label it is counted under (a gRPC code name, or
/// "db: …").
pub type OpResult = Result<(), String>;
/// One request in flight.
pub type OpFuture = Pin<Box<dyn Future<Output = OpResult> + Send>>;
/// Makes the next request; the argument is the worker (or, in open loop, the request number)
/// so that scenarios can spread requests over channels or pin a connection to a worker.
pub type Op = Arc<dyn Fn(usize) -> OpFuture + Send + Sync>;

/// How the load is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `workers` requests always in flight.
    Closed { workers: usize },
    /// `rate` requests started per second; `workers` only chooses channels/connections.
    Open { rate: u64, workers: usize },
}

/// A load to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub mode: Mode,
    /// Load offered but not recorded.
    pub warmup: Duration,
    /// Recorded time.
    pub duration: Duration,
}

/// What one round measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Latency of successful requests, microseconds.
    pub latency: Histogram<u64>,
    /// Failed requests by label.
    pub errors: BTreeMap<String, u64>,
    /// The recorded time.
    pub duration: Duration,
}

impl Measurement {
    /// An empty measurement of `duration` of recorded time.
    #[must_use]
    pub fn new(duration: Duration) -> Self {
        Self {
            // 1 µs to 10 min at 3 significant figures: every latency this tool can see.
            latency: Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds"),
            errors: BTreeMap::new(),
            duration,
        }
    }

    /// Counts one request: its latency when it succeeded, its label when not.
    pub fn record(&mut self, result: OpResult, elapsed: Duration) {
        match result {
            Ok(()) => self
                .latency
                .saturating_record(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)),
            Err(label) => *self.errors.entry(label).or_default() += 1,
        }
    }

    /// Adds what `other`, recorded over the same time, counted (e.g. another stream's share).
    pub fn merge(&mut self, other: &Self) {
        self.latency
            .add(&other.latency)
            .expect("histograms of the same bounds");
        for (label, n) in &other.errors {
            *self.errors.entry(label.clone()).or_default() += n;
        }
    }

    /// Successful requests.
    #[must_use]
    pub fn ok(&self) -> u64 {
        self.latency.len()
    }

    /// Failed requests.
    #[must_use]
    pub fn failed(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Successful requests per second of recorded time.
    #[must_use]
    pub fn throughput(&self) -> f64 {
        self.ok() as f64 / self.duration.as_secs_f64()
    }

    /// Latency at `quantile` in milliseconds (0 when nothing succeeded).
    #[must_use]
    pub fn millis_at(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// Offers `plan`'s load to `op` and answers what was measured after the warm-up.
pub async fn drive(op: &Op, plan: Plan) -> Measurement {
    let start = Instant::now();
    let window = Window {
        start,
        from: start + plan.warmup,
        until: start + plan.warmup + plan.duration,
    };
    let recorder = Arc::new(Mutex::new(Measurement::new(plan.duration)));
    match plan.mode {
        Mode::Closed { workers } => closed(op, workers.max(1), window, &recorder).await,
        Mode::Open { rate, workers } => {
            open(op, rate.max(1), workers.max(1), window, &recorder).await
        }
    }
    recorder.lock().expect("recorder lock").clone()
}

/// The recorded part of a round: requests due in `[from, until)` count.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    from: Instant,
    until: Instant,
}

async fn closed(op: &Op, workers: usize, window: Window, recorder: &Arc<Mutex<Measurement>>) {
    let mut tasks = JoinSet::new();
    for worker in 0..workers {
        let (op, recorder) = (Arc::clone(op), Arc::clone(recorder));
        tasks.spawn(async move {
            loop {
                let sent = Instant::now();
                if sent >= window.until {
                    break;
                }
                let result = op(worker).await;
                if sent >= window.from {
                    recorder
                        .lock()
                        .expect("recorder lock")
                        .record(result, sent.elapsed());
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

/// Requests in flight beyond which the client itself gives up on a request (counted as an
/// error): an overloaded server must show as errors, not as unbounded client memory.
const MAX_IN_FLIGHT: usize = 20_000;

async fn open(
    op: &Op,
    rate: u64,
    workers: usize,
    window: Window,
    recorder: &Arc<Mutex<Measurement>>,
) {
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for n in 0_u32.. {
        let due = window.start + interval * n;
        if due >= window.until {
            break;
        }
        tokio::time::sleep_until(due).await;
        let counted = due >= window.from;
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            if counted {
                recorder
                    .lock()
                    .expect("recorder lock")
                    .record(Err("client: too many in flight".to_owned()), Duration::ZERO);
            }
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (op, recorder, in_flight) =
            (Arc::clone(op), Arc::clone(recorder), Arc::clone(&in_flight));
        tasks.spawn(async move {
            let result = op(n as usize % workers).await;
            if counted {
                recorder
                    .lock()
                    .expect("recorder lock")
                    .record(result, due.elapsed());
            }
            in_flight.fetch_sub(1, Ordering::Relaxed);
        });
        // Reap finished tasks as we go so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}
