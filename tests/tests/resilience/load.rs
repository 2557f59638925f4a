//! Load for the overload tests: a closed loop (workers that call again as soon as answered, to
//! measure capacity), an open loop (calls started at a fixed rate whatever the answers, as
//! independent clients do), latency percentiles, and the process's resident memory.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use genuine_runtime::errors::ServiceError;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

/// One call of the load; the argument numbers the call (to spread calls over connections).
pub type Call = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

/// The answer of one call, to be awaited.
pub type Answer = Pin<Box<dyn Future<Output = Result<(), tonic::Status>> + Send>>;

/// How one call ended, kept small: an open loop at thousands of calls a second keeps them all.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// When the call started, from the start of the load.
    pub at: Duration,
    pub latency: Duration,
    pub code: tonic::Code,
    /// The `RetryInfo` delay of a refusal, if it carried one.
    pub retry_after: Option<Duration>,
}

async fn timed(call: &Call, n: usize, origin: Instant) -> Outcome {
    let begun = Instant::now();
    let result = call(n).await;
    let latency = begun.elapsed();
    let at = begun.saturating_duration_since(origin);
    match result {
        Ok(()) => Outcome {
            at,
            latency,
            code: tonic::Code::Ok,
            retry_after: None,
        },
        Err(status) => Outcome {
            at,
            latency,
            code: status.code(),
            retry_after: ServiceError::from_status(&status).retry_after(),
        },
    }
}

/// `workers` callers, each calling again as soon as answered, for `duration`.
pub async fn closed_loop(call: &Call, workers: usize, duration: Duration) -> Vec<Outcome> {
    let origin = Instant::now();
    let deadline = origin + duration;
    let mut tasks = JoinSet::new();
    for worker in 0..workers {
        let call = Arc::clone(call);
        tasks.spawn(async move {
            let mut outcomes = Vec::new();
            let mut n = worker;
            while Instant::now() < deadline {
                outcomes.push(timed(&call, n, origin).await);
                n += workers;
            }
            outcomes
        });
    }
    let mut all = Vec::new();
    while let Some(outcomes) = tasks.join_next().await {
        all.extend(outcomes.expect("worker"));
    }
    all
}

/// What an open loop did.
#[derive(Debug)]
pub struct OpenLoop {
    pub outcomes: Vec<Outcome>,
    /// Calls per second actually started (the generator shares the CPU with the servers).
    pub started_rate: f64,
}

/// Starts calls at `rate` per second for `duration`, each in its own task, never waiting for
/// answers; then waits for every answer.
pub async fn open_loop(call: &Call, rate: f64, duration: Duration) -> OpenLoop {
    let (sender, mut answers) = mpsc::unbounded_channel();
    let start = Instant::now();
    let mut started = 0_usize;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    while start.elapsed() < duration {
        tick.tick().await;
        // Calls owed by now: a late tick starts several, so the rate holds on average.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive count of calls, far below usize::MAX"
        )]
        let owed = (start.elapsed().as_secs_f64() * rate) as usize;
        while started < owed {
            let call = Arc::clone(call);
            let sender = sender.clone();
            let n = started;
            tokio::spawn(async move {
                let _ = sender.send(timed(&call, n, start).await);
            });
            started += 1;
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "a rate for a report")]
    let started_rate = started as f64 / start.elapsed().as_secs_f64();
    drop(sender);
    let mut outcomes = Vec::with_capacity(started);
    while let Some(outcome) = answers.recv().await {
        outcomes.push(outcome);
    }
    OpenLoop {
        outcomes,
        started_rate,
    }
}

/// The `p`-th percentile (0–100) of `latencies`, or zero when there are none.
pub fn percentile(latencies: &[Duration], p: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a vector"
    )]
    let index = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// The latencies of the outcomes with `code`.
pub fn latencies(outcomes: &[Outcome], code: tonic::Code) -> Vec<Duration> {
    latencies_from(outcomes, code, Duration::ZERO)
}

/// The latencies of the outcomes with `code` started `from` the start of the load or later.
pub fn latencies_from(outcomes: &[Outcome], code: tonic::Code, from: Duration) -> Vec<Duration> {
    outcomes
        .iter()
        .filter(|o| o.code == code && o.at >= from)
        .map(|o| o.latency)
        .collect()
}

/// This process's resident memory (`VmRSS`), in bytes: the services under test run in it too.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmRSS")
        * 1024
}

/// Samples [`rss_bytes`] every 100 ms until stopped; [`PeakMemory::stop`] gives the highest.
pub struct PeakMemory {
    stop: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<u64>,
}

impl PeakMemory {
    pub fn start() -> Self {
        let stop = tokio_util::sync::CancellationToken::new();
        let cancelled = stop.clone();
        let task = tokio::spawn(async move {
            let mut peak = rss_bytes();
            while !cancelled.is_cancelled() {
                peak = peak.max(rss_bytes());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak.max(rss_bytes())
        });
        Self { stop, task }
    }

    pub async fn stop(self) -> u64 {
        self.stop.cancel();
        self.task.await.expect("memory sampler")
    }
}
