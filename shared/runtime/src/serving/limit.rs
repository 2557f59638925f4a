//! How many calls admission lets in at once. A fixed limit (the configured
//! `concurrency_limit`) lets calls queue inside it: on a busy server every admitted call shares
//! the CPU and the database with all the others, so at 256 in flight each takes 256 times
//! longer than alone. The adaptive limit keeps admitted calls near their unloaded latency
//! instead, by AIMD on latency:
//!
//! - Each RPC method has a baseline, its unloaded latency: the lowest median of batches of
//!   eight answers to calls with at most one other in flight when admitted and answered. Unloaded, because a
//!   server that is always busy would otherwise take its busy latency for normal (or, judged
//!   against a quiet moment's, refuse ordinary load); a median, not the fastest answer,
//!   because some work is inherently uneven (group commit makes a write wait for its batch).
//!   The baseline drifts up slowly, so a lasting change such as a bigger database is learned; a
//!   faster batch resets it. A method without one yet is never judged: the limit stays put.
//! - Every `window` (100 ms) the answers of the window are judged. Most answers took more than
//!   `tolerance` (2×) their method's baseline, and either the limit was in use (at least half
//!   of it in flight) or calls in flight were piling up (the window's peak half as high again
//!   as the last one's, and at least an eighth of the limit): calls are queueing, not running. The limit then shrinks to the
//!   window's peak in flight (if that is lower), less in proportion to how slow the answers
//!   were (`tolerance` / mean slowdown): 10 % to 50 % per window. Shrinking from the peak, not
//!   the ceiling, is what stops a flood early: at 256 a server would have to admit 128 calls
//!   before the limit moved, and each of those would wait for all the others.
//!   Within a window, too, calls may not pile up beyond half again the last window's peak
//!   while its answers are mostly slow: the judgement at the window's end would come after a
//!   flood of thousands of calls a second had filled the limit.
//! - Slow answers at a steady in-flight count below half the limit are left alone: a slow
//!   database or a fixed set of busy callers, which refusing would not speed up.
//! - When the limit was reached and at least three answers in four were fast, it grows by
//!   √limit: there is room.
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

/// The floor of the adaptive limit: two calls keep two cores busy while a third waits on the
/// database; more at the floor only lengthens every admitted call's wait.
const MIN_LIMIT: usize = 2;

/// The least rise of the peak in flight, from one window to the next, that counts as piling up.
const MIN_RISE: usize = 4;

/// The share of the limit calls in flight must reach, besides rising, to count as piling up.
const PILE_SHARE: f64 = 0.125;

/// Calls admitted with fewer than this many in flight give unloaded latencies.
const UNLOADED: usize = 2;

/// Answers per batch whose median may become a method's baseline.
const BATCH: usize = 8;

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
    /// The peak in flight of the window judged last.
    last_peak: usize,
    /// What each method path's answers take when unloaded.
    baselines: HashMap<String, Baseline>,
}

/// One method's unloaded latency: the lowest median of its recent batches of answers.
#[derive(Debug, Default)]
struct Baseline {
    /// Seconds; `None` until the first batch is complete.
    seconds: Option<f64>,
    batch: Vec<f64>,
}

impl Baseline {
    /// Adds one answer; a complete batch lowers the baseline to its median if that is faster.
    fn learn(&mut self, seconds: f64) {
        self.batch.push(seconds);
        if self.batch.len() < BATCH {
            return;
        }
        self.batch.sort_by(f64::total_cmp);
        let median = self.batch[BATCH / 2];
        self.batch.clear();
        self.seconds = Some(self.seconds.map_or(median, |b| b.min(median)));
    }
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
                last_peak: 0,
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
        if state.in_flight >= current(state.limit) || state.piling_up_while_slow() {
            return None;
        }
        let alone = state.in_flight < UNLOADED;
        state.in_flight += 1;
        state.window.peak_in_flight = state.window.peak_in_flight.max(state.in_flight);
        drop(state);
        Some(Permit {
            limit: Arc::clone(self),
            method: method.to_owned(),
            started: Instant::now(),
            alone,
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

    /// Ends a call of `permit`, answered at `now` (or abandoned: no latency to learn from).
    fn release(&self, permit: &Permit, answered: Option<Instant>) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        let (Some(config), Some(now)) = (&self.config, answered) else {
            return;
        };
        let latency = now.saturating_duration_since(permit.started);
        // Alone from admission to answer: nothing else shared the server with it.
        let alone = permit.alone && state.in_flight < UNLOADED;
        state.sample(config, &permit.method, latency, alone);
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
    /// The answers of the window so far are mostly slow and one more call would pile up calls
    /// in flight beyond half again the last window's peak. Refused without waiting for the
    /// window's end: at thousands of calls a second a flood would fill the limit first.
    fn piling_up_while_slow(&self) -> bool {
        let window = &self.window;
        window.samples >= MIN_SAMPLES
            && window.slow * 2 > window.samples
            && self.piles_up(self.in_flight)
    }

    /// `in_flight` is a pile: half again the last window's peak, and a sizeable part of the
    /// limit (a few more calls than a moment ago, at a tenth of the limit, are ordinary bursts).
    fn piles_up(&self, in_flight: usize) -> bool {
        #[allow(clippy::cast_precision_loss, reason = "counts of calls are small")]
        let sizeable = in_flight as f64 >= self.limit * PILE_SHARE;
        sizeable && in_flight >= self.last_peak + MIN_RISE.max(self.last_peak / 2)
    }

    /// Judges one answer of `method` against its baseline; an answer given `alone` (with at
    /// most one other call in flight when it was admitted and when it was answered) also
    /// teaches the baseline.
    fn sample(&mut self, config: &LimitConfig, method: &str, latency: Duration, alone: bool) {
        let seconds = latency.as_secs_f64();
        let key = if self.baselines.len() < MAX_METHODS || self.baselines.contains_key(method) {
            method
        } else {
            ""
        };
        if !self.baselines.contains_key(key) {
            self.baselines.insert(key.to_owned(), Baseline::default());
        }
        let Some(baseline) = self.baselines.get_mut(key) else {
            return;
        };
        let judged_against = baseline.seconds;
        if alone {
            baseline.learn(seconds);
        }
        // Until a method has a baseline its answers say nothing about queueing.
        let Some(unloaded) = judged_against else {
            return;
        };
        let slowdown = seconds / unloaded.max(f64::MIN_POSITIVE);
        self.window.samples += 1;
        self.window.slowdown += slowdown;
        if slowdown > config.tolerance {
            self.window.slow += 1;
        }
    }

    /// Ends the window: shrink, grow or keep the limit; let baselines drift; start a new one.
    fn judge(&mut self, config: &LimitConfig, now: Instant) {
        let window = &self.window;
        let piling_up = self.piles_up(window.peak_in_flight);
        #[allow(clippy::cast_precision_loss, reason = "counts of calls are small")]
        let peak = window.peak_in_flight as f64;
        #[allow(clippy::cast_precision_loss, reason = "limits are small")]
        let (min, max) = (config.min as f64, config.max as f64);
        if window.samples >= MIN_SAMPLES {
            let mostly_slow = window.slow * 2 > window.samples;
            let mostly_fast = window.slow * 4 <= window.samples;
            if mostly_slow && (peak * 2.0 >= self.limit || piling_up) {
                let mean_slowdown = window.slowdown / f64::from(window.samples);
                let factor = (config.tolerance / mean_slowdown).clamp(0.5, 0.9);
                self.limit = (self.limit.min(peak) * factor).max(min);
            } else if mostly_fast && peak + 1.0 >= self.limit {
                self.limit = (self.limit + self.limit.sqrt().max(1.0)).min(max);
            }
        }
        let elapsed = now.saturating_duration_since(window.started).as_secs_f64();
        let drift = 1.0 + config.baseline_drift * elapsed;
        for baseline in self.baselines.values_mut() {
            if let Some(seconds) = &mut baseline.seconds {
                *seconds *= drift;
            }
        }
        self.last_peak = self.window.peak_in_flight;
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
    /// Admitted with at most one other call in flight: if answered so too, its latency is an
    /// unloaded one.
    alone: bool,
    released: bool,
}

impl Permit {
    /// The call produced its response now.
    pub fn answered(self) {
        self.answered_at(Instant::now());
    }

    fn answered_at(mut self, now: Instant) {
        self.released = true;
        self.limit.release(&self, Some(now));
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.released {
            self.limit.release(self, None);
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
        uneven_window(limit, clock, method, &vec![latency; calls])
    }

    /// Runs one window of `calls` calls one after the other, each alone and answered after
    /// `latency`: what teaches a method its baseline. Returns the limit after the window.
    fn unloaded(
        limit: &Arc<ConcurrencyLimit>,
        clock: &mut Instant,
        method: &str,
        calls: usize,
        latency: Duration,
    ) -> usize {
        for _ in 0..calls {
            let mut permit = limit.try_acquire(method).expect("room for one");
            permit.started = *clock;
            permit.answered_at(*clock + latency);
        }
        window(limit, clock, method, 0, latency)
    }

    /// [`window`] with one call per latency, answered after it. Calls beyond the limit wait
    /// for the next wave, as callers retrying would.
    fn uneven_window(
        limit: &Arc<ConcurrencyLimit>,
        clock: &mut Instant,
        method: &str,
        latencies: &[Duration],
    ) -> usize {
        let mut rest = latencies;
        while !rest.is_empty() {
            let wave: Vec<(Permit, Duration)> = rest
                .iter()
                .map_while(|latency| limit.try_acquire(method).map(|p| (p, *latency)))
                .map(|(mut p, latency)| {
                    p.started = *clock;
                    (p, latency)
                })
                .collect();
            if wave.is_empty() {
                break;
            }
            rest = &rest[wave.len()..];
            for (permit, latency) in wave {
                let started = permit.started;
                permit.answered_at(started + latency);
            }
        }
        let latency = latencies.iter().copied().max().unwrap_or_default();
        // Well past the window, whatever the previous window's latency was.
        *clock += latency + Duration::from_millis(200);
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
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        assert_eq!(limit.current(), 256);
        // A full house answering in 10 ms, ten times the baseline: queued. The limit halves...
        let after = window(&limit, &mut clock, CHEAP, 256, Duration::from_millis(10));
        assert_eq!(after, 128);
        // ...while a slowdown just over the tolerance takes a tenth off.
        let mild = window(&limit, &mut clock, CHEAP, 128, Duration::from_micros(2100));
        assert_eq!(mild, 115);
        // ...down to the floor, never below.
        for _ in 0..100 {
            let in_flight = limit.current().max(10);
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
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        for _ in 0..40 {
            let in_flight = limit.current().max(10);
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
        let grown = window(
            &limit,
            &mut clock,
            CHEAP,
            low.max(10),
            Duration::from_millis(1),
        );
        assert!(grown > low, "{low} -> {grown}");
        for _ in 0..100 {
            let in_flight = limit.current().max(10);
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
    fn a_flood_shrinks_the_limit_long_before_half_of_it_is_in_use() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // Calls pile up, 40 in flight and ten times slower: the limit falls below the pile...
        let after = window(&limit, &mut clock, CHEAP, 40, Duration::from_millis(10));
        assert_eq!(after, 20);
        // ...and keeps falling while the calls admitted are slow.
        let next = window(&limit, &mut clock, CHEAP, 40, Duration::from_millis(10));
        assert_eq!(next, 10);
        // A steady 40 busy callers at a limit that is not in use would not have moved it.
        let steady = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&steady, &mut clock, CHEAP, 10, Duration::from_millis(1));
        window(&steady, &mut clock, CHEAP, 40, Duration::from_millis(1));
        for _ in 0..20 {
            window(&steady, &mut clock, CHEAP, 40, Duration::from_millis(10));
        }
        assert_eq!(steady.current(), 256);
    }

    #[test]
    fn calls_may_not_pile_up_within_a_window_whose_answers_are_slow() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // The next window: 40 calls in flight, and answers coming back ten times too slow.
        let held: Vec<Permit> = (0..40).filter_map(|_| limit.try_acquire(CHEAP)).collect();
        assert_eq!(
            held.len(),
            40,
            "a rise from 1 to 40 with no slow answers yet"
        );
        for _ in 0..MIN_SAMPLES {
            let mut slow = limit.try_acquire(CHEAP).expect("below the pile");
            slow.started = clock;
            slow.answered_at(clock + Duration::from_millis(10));
        }
        // 40 in flight is a pile (over an eighth of the limit, far above the last peak of 1):
        // no more until some finish.
        assert!(limit.try_acquire(CHEAP).is_none());
        assert_eq!(
            limit.current(),
            256,
            "the limit itself moves only at the window's end"
        );
        drop(held);
        assert!(limit.try_acquire(CHEAP).is_some());
    }

    #[test]
    fn uneven_answers_are_judged_by_their_median_not_the_luckiest() {
        // Group commit: one answer in four is lucky (its batch was just closing), the rest wait
        // for their batch. Judged against the lucky 1 ms, every ordinary answer would look
        // five times too slow and the limit would collapse.
        let limit = ConcurrencyLimit::adaptive(config(64));
        let mut clock = Instant::now();
        let group_commit: Vec<Duration> = (0..64)
            .map(|i| Duration::from_millis(if i % 4 == 0 { 1 } else { 5 }))
            .collect();
        for latency in group_commit.iter().take(16) {
            let mut alone = limit.try_acquire(CHEAP).expect("room");
            alone.started = clock;
            alone.answered_at(clock + *latency);
        }
        for _ in 0..20 {
            uneven_window(&limit, &mut clock, CHEAP, &group_commit);
        }
        assert_eq!(limit.current(), 64);
        // Real queueing, four times the median, still shrinks it.
        let after = window(&limit, &mut clock, CHEAP, 64, Duration::from_millis(20));
        assert_eq!(after, 32);
    }

    #[test]
    fn bursts_of_a_few_calls_at_ordinary_load_are_not_a_pile() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // Busy but not overloaded: answers three times slower than alone, in flight going from
        // 5 to 12 and back, far below an eighth of the limit.
        for _ in 0..20 {
            window(&limit, &mut clock, CHEAP, 5, Duration::from_millis(3));
            window(&limit, &mut clock, CHEAP, 12, Duration::from_millis(3));
        }
        assert_eq!(limit.current(), 256);
    }

    #[test]
    fn a_method_never_seen_unloaded_is_not_judged() {
        let limit = ConcurrencyLimit::adaptive(config(64));
        let mut clock = Instant::now();
        // Only ever called 64 at a time: there is no unloaded latency to call these slow.
        for latency in [1, 10, 100] {
            window(
                &limit,
                &mut clock,
                CHEAP,
                64,
                Duration::from_millis(latency),
            );
        }
        assert_eq!(limit.current(), 64);
    }

    #[test]
    fn slow_answers_at_low_concurrency_are_not_blamed_on_the_limit() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
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
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // A costly method at its own normal 30 ms, with the limit in use: nothing is queued.
        unloaded(&limit, &mut clock, COSTLY, 10, Duration::from_millis(30));
        for _ in 0..20 {
            window(&limit, &mut clock, COSTLY, 32, Duration::from_millis(30));
        }
        assert_eq!(limit.current(), 32);
    }

    #[test]
    fn baselines_drift_up_so_a_lasting_change_is_learned() {
        let limit = ConcurrencyLimit::adaptive(config(256));
        let mut clock = Instant::now();
        unloaded(&limit, &mut clock, CHEAP, 10, Duration::from_millis(1));
        // A few minutes of few calls: the baseline creeps up towards 3 ms...
        for _ in 0..3000 {
            unloaded(&limit, &mut clock, CHEAP, 2, Duration::from_millis(3));
        }
        // ...so 3 ms at full house is normal now, not queueing.
        for _ in 0..10 {
            window(&limit, &mut clock, CHEAP, 256, Duration::from_millis(3));
        }
        assert_eq!(limit.current(), 256);
    }
}
