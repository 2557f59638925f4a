//! How many calls admission lets in at once. A fixed limit (the configured
//! `concurrency_limit`) lets calls queue inside it: on a busy server every admitted call shares
//! the CPU and the database with all the others, so at 256 in flight each takes 256 times
//! longer than alone. The adaptive limit keeps admitted calls near their unloaded latency
//! instead, by AIMD on latency:
//!
//! - Each RPC method has a baseline: the fastest answer seen lately (it drifts up slowly, so a
//!   lasting change such as a bigger database is learned; a faster answer resets it).
//! - Every `window` (100 ms) the answers of the window are judged. When the limit was in use
//!   (at least half of it in flight) and most answers took more than `tolerance` (2×) their
//!   method's baseline, calls are queueing, not running: the limit shrinks in proportion to
//!   how slow they were (`tolerance` / mean slowdown), by 10 % to 50 % per window, so a server
//!   flooded at 256 in flight is down to a handful within a second.
//! - When the limit was reached and almost all answers were fast, it grows by √limit: there is
//!   room.
//!
//! The limit stays within [`LimitConfig::min`, `max`]; `max` is the configured limit. A call
//! that finds the limit reached is refused at once, as before; the refusal tells the caller
//! when to retry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The tuning of an adaptive limit; the defaults are what servers use.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitConfig {
    /// The ceiling: the configured `concurrency_limit`.
    pub max: usize,
    /// The floor: enough to keep a few calls running whatever the latencies say.
    pub min: usize,
    /// Answers slower than this multiple of their method's baseline count as queued.
    pub tolerance: f64,
    /// How often the limit is reconsidered.
    pub window: Duration,
    /// How fast baselines drift up, per second (0.01 = 1 %/s).
    pub baseline_drift: f64,
}

impl LimitConfig {
    /// The server defaults under ceiling `max`.
    #[must_use]
    pub fn adaptive(max: usize) -> Self {
        Self {
            max,
            min: MIN_LIMIT.min(max),
            tolerance: 2.0,
            window: Duration::from_millis(100),
            baseline_drift: 0.01,
        }
    }
}

/// The floor of the adaptive limit.
const MIN_LIMIT: usize = 4;

/// Fewer answers than this in a window say nothing about latency.
const MIN_SAMPLES: u32 = 5;

/// Methods with a baseline of their own; further paths (a caller trying random names) share one.
const MAX_METHODS: usize = 128;

/// The in-flight count and limit shared by every connection of one server.
#[derive(Debug)]
pub struct ConcurrencyLimit {
    /// `None`: a fixed limit of `max`.
    config: Option<LimitConfig>,
    max: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: f64,
    in_flight: usize,
    window: Window,
    /// Seconds of the fastest recent answer per method path.
    baselines: HashMap<String, f64>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    samples: u32,
    slow: u32,
    /// Sum of latency / baseline over the samples.
    slowdown: f64,
    peak_in_flight: usize,
}

impl Window {
    fn new(started: Instant, in_flight: usize) -> Self {
        Self {
            started,
            samples: 0,
            slow: 0,
            slowdown: 0.0,
            peak_in_flight: in_flight,
        }
    }
}

impl ConcurrencyLimit {
    /// Always exactly `max` (0 refuses everything).
    #[must_use]
    pub fn fixed(max: usize) -> Arc<Self> {
        Self::build(None, max)
    }

    /// Adapts between `config.min` and `config.max`, starting at `max`.
    #[must_use]
    pub fn adaptive(config: LimitConfig) -> Arc<Self> {
        let max = config.max;
        Self::build(Some(config), max)
    }

    fn build(config: Option<LimitConfig>, max: usize) -> Arc<Self> {
        #[allow(clippy::cast_precision_loss, reason = "limits are small")]
        let limit = max as f64;
        Arc::new(Self {
            config,
            max,
            state: Mutex::new(State {
                limit,
                in_flight: 0,
                window: Window::new(Instant::now(), 0),
                baselines: HashMap::new(),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a few numbers, consistent after every statement: usable after a panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit when fewer than the current limit are in flight, else `None`.
    #[must_use]
    pub fn try_acquire(self: &Arc<Self>, method: &str) -> Option<Permit> {
        let mut state = self.state();
        if state.in_flight >= current(state.limit) {
            return None;
        }
        state.in_flight += 1;
        state.window.peak_in_flight = state.window.peak_in_flight.max(state.in_flight);
        drop(state);
        Some(Permit {
            limit: Arc::clone(self),
            method: method.to_owned(),
            started: Instant::now(),
            released: false,
        })
    }

    /// Calls in flight now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.state().in_flight
    }

    /// The limit now.
    #[must_use]
    pub fn current(&self) -> usize {
        current(self.state().limit)
    }

    /// The ceiling (the configured limit).
    #[must_use]
    pub fn max(&self) -> usize {
        self.max
    }

    /// Ends a call admitted at `started` for `method`, answered at `now` (or abandoned: no
    /// latency to learn from).
    fn release(&self, method: &str, answered: Option<(Instant, Instant)>) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        let (Some(config), Some((started, now))) = (&self.config, answered) else {
            return;
        };
        state.sample(config, method, now.saturating_duration_since(started));
        if now.saturating_duration_since(state.window.started) >= config.window {
            let before = current(state.limit);
            state.judge(config, now);
            let after = current(state.limit);
            if before != after {
                tracing::debug!(before, after, "adaptive concurrency limit changed");
            }
        }
    }
}

impl State {
    fn sample(&mut self, config: &LimitConfig, method: &str, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let key = if self.baselines.len() < MAX_METHODS || self.baselines.contains_key(method) {
            method
        } else {
            ""
        };
        let baseline = self
            .baselines
            .entry(key.to_owned())
            .and_modify(|b| *b = b.min(seconds))
            .or_insert(seconds);
        let slowdown = seconds / baseline.max(f64::MIN_POSITIVE);
        self.window.samples += 1;
        self.window.slowdown += slowdown;
        if slowdown > config.tolerance {
            self.window.slow += 1;
        }
    }

    /// Ends the window: shrink, grow or keep the limit; let baselines drift; start a new one.
    fn judge(&mut self, config: &LimitConfig, now: Instant) {
        let window = &self.window;
        #[allow(clippy::cast_precision_loss, reason = "counts of calls are small")]
        let peak = window.peak_in_flight as f64;
        #[allow(clippy::cast_precision_loss, reason = "limits are small")]
        let (min, max) = (config.min as f64, config.max as f64);
        if window.samples >= MIN_SAMPLES {
            let mostly_slow = window.slow * 2 > window.samples;
            let almost_all_fast = window.slow * 10 <= window.samples;
            if mostly_slow && peak * 2.0 >= self.limit {
                let mean_slowdown = window.slowdown / f64::from(window.samples);
                let factor = (config.tolerance / mean_slowdown).clamp(0.5, 0.9);
                self.limit = (self.limit * factor).max(min);
            } else if almost_all_fast && peak + 1.0 >= self.limit {
                self.limit = (self.limit + self.limit.sqrt().max(1.0)).min(max);
            }
        }
        let elapsed = now.saturating_duration_since(window.started).as_secs_f64();
        let drift = 1.0 + config.baseline_drift * elapsed;
        for baseline in self.baselines.values_mut() {
            *baseline *= drift;
        }
        self.window = Window::new(now, self.in_flight);
    }
}

/// The whole number of calls a limit admits.
fn current(limit: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the limit is kept within [min, max] of usize values"
    )]
    let whole = limit.floor() as usize;
    whole
}

/// One admitted call. [`Permit::answered`] gives its latency to the limit; dropping it without
/// (the caller went away) only frees the place.
#[derive(Debug)]
pub struct Permit {
    limit: Arc<ConcurrencyLimit>,
    method: String,
    started: Instant,
    released: bool,
}

impl Permit {
    /// The call produced its response now.
    pub fn answered(self) {
        self.answered_at(Instant::now());
    }

    fn answered_at(mut self, now: Instant) {
        self.released = true;
        self.limit.release(&self.method, Some((self.started, now)));
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.released {
            self.limit.release(&self.method, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: &str = "/genuine.Test/Cheap";
    const COSTLY: &str = "/genuine.Test/Costly";

    fn config(max: usize) -> LimitConfig {
        LimitConfig::adaptive(max)
    }

    /// Runs one window: `calls` calls of `method` admitted together, each answered after
    /// `latency`; returns the limit after the window is judged.
    fn window(
        limit: &Arc<ConcurrencyLimit>,
        clock: &mut Instant,
        method: &str,
        calls: usize,
        latency: Duration,
    ) -> usize {
        let permits: Vec<Permit> = (0..calls)
            .map_while(|_| limit.try_acquire(method))
            .map(|mut p| {
                p.started = *clock;
                p
            })
            .collect();
        // Well past the window, whatever the previous window's latency was.
        *clock += latency + Duration::from_millis(200);
        for permit in permits {
            let started = permit.started;
            permit.answered_at(started + latency);
        }
        // One more answer after the window closed makes the judgement.
        let mut last = limit.try_acquire(method).expect("room for one");
        last.started = *clock;
        last.answered_at(*clock + latency);
        limit.current()
    }

    #[test]
    fn a_fixed_limit_admits_exactly_its_number_and_frees_places() {
        let limit = ConcurrencyLimit::fixed(2);
        let a = limit.try_acquire(CHEAP).expect("first");
        let _b = limit.try_acquire(CHEAP).expect("second");
        assert!(limit.try_acquire(CHEAP).is_none());
        a.answered();
        assert_eq!(limit.in_flight(), 1);
        assert!(limit.try_acquire(CHEAP).is_some());
        assert!(ConcurrencyLimit::fixed(0).try_acquire(CHEAP).is_none());
    }

    #[test]
    fn an_abandoned_call_frees_its_place() {
        let limit = ConcurrencyLimit::adaptive(config(1));
        drop(limit.try_acquire(CHEAP).expect("admitted"));
        assert_eq!(limit.in_flight(), 0);
        assert!(limit.try_acquire(CHEAP).is_some());
    }

    #[test]
    fn queueing_shrinks_the_limit_to_the_floor_and_no_further() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        // Alone, a call takes 1 ms: the baseline.
        window(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        assert_eq!(limit.current(), 256);
        // A full house answering in 10 ms, ten times the baseline: queued. The limit halves...
        let after = window(&limit, &mut clock, CHEAP, 256, Duration::from_millis(10));
        assert_eq!(after, 128);
        // ...while a slowdown just over the tolerance takes a tenth off.
        let mild = window(&limit, &mut clock, CHEAP, 128, Duration::from_micros(2100));
        assert_eq!(mild, 115);
        // ...down to the floor, never below.
        for _ in 0..100 {
            let in_flight = limit.current();
            window(
                &limit,
                &mut clock,
                CHEAP,
                in_flight,
                Duration::from_millis(10),
            );
        }
        assert_eq!(limit.current(), MIN_LIMIT);
    }

    #[test]
    fn a_reached_limit_with_fast_answers_grows_to_the_ceiling() {
        let limit = ConcurrencyLimit::adaptive(config(64));
        let mut clock = Instant::now();
        window(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        for _ in 0..40 {
            let in_flight = limit.current();
            window(
                &limit,
                &mut clock,
                CHEAP,
                in_flight,
                Duration::from_millis(10),
            );
        }
        let low = limit.current();
        assert!(low < 16, "{low}");
        // The load eases: a full house answers at the baseline again.
        let grown = window(&limit, &mut clock, CHEAP, low, Duration::from_millis(1));
        assert!(grown > low, "{low} -> {grown}");
        for _ in 0..100 {
            let in_flight = limit.current();
            window(
                &limit,
                &mut clock,
                CHEAP,
                in_flight,
                Duration::from_millis(1),
            );
        }
        assert_eq!(limit.current(), 64);
    }

    #[test]
    fn slow_answers_at_low_concurrency_are_not_blamed_on_the_limit() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        window(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // A slow database, but only a few calls in flight: shedding would not help.
        for _ in 0..20 {
            window(&limit, &mut clock, CHEAP, 8, Duration::from_millis(50));
        }
        assert_eq!(limit.current(), 256);
    }

    #[test]
    fn each_method_is_judged_against_its_own_baseline() {
        let limit = ConcurrencyLimit::adaptive(config(32));
        let mut clock = Instant::now();
        window(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // A costly method at its own normal 30 ms, with the limit in use: nothing is queued.
        window(&limit, &mut clock, COSTLY, 10, Duration::from_millis(30));
        for _ in 0..20 {
            window(&limit, &mut clock, COSTLY, 32, Duration::from_millis(30));
        }
        assert_eq!(limit.current(), 32);
    }

    #[test]
    fn baselines_drift_up_so_a_lasting_change_is_learned() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        window(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // A few minutes of few calls: the baseline creeps up towards 3 ms...
        for _ in 0..3000 {
            window(&limit, &mut clock, CHEAP, 2, Duration::from_millis(3));
        }
        // ...so 3 ms at full house is normal now, not queueing.
        for _ in 0..10 {
            window(&limit, &mut clock, CHEAP, 256, Duration::from_millis(3));
        }
        assert_eq!(limit.current(), 256);
    }
}
