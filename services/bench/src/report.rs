//! The tables `genuine bench` prints: one per scenario run, and the comparison of alternating
//! rounds (medians and ratios, since single figures on a shared machine are noise).

use std::fmt::Write as _;

use crate::load::{Measurement, Mode, Plan};

/// Describes the load of `plan` in words.
#[must_use]
pub fn describe(plan: &Plan, channels: usize) -> String {
    let load = match plan.mode {
        Mode::Closed { workers } => format!("closed loop, {workers} workers"),
        Mode::Open { rate, workers } => format!("open loop, {rate}/s over {workers} lanes"),
    };
    format!(
        "{load}, {channels} channels, {:?} after {:?} warm-up",
        plan.duration, plan.warmup
    )
}

/// The header of a measurement table.
#[must_use]
pub fn header() -> String {
    "| run | ok/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | ok | errors |\n\
     |---|---:|---:|---:|---:|---:|---:|---:|---|"
        .to_owned()
}

/// One table row for `m`, labelled `run`.
#[must_use]
pub fn row(run: &str, m: &Measurement) -> String {
    let errors = if m.errors.is_empty() {
        "0".to_owned()
    } else {
        m.errors
            .iter()
            .map(|(label, n)| format!("{label} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "| {run} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {errors} |",
        m.throughput(),
        m.millis_at(0.5),
        m.millis_at(0.9),
        m.millis_at(0.99),
        m.millis_at(0.999),
        m.latency.max() as f64 / 1000.0,
        m.ok(),
    )
}

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
#[must_use]
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// One figure of a measurement.
type Metric = fn(&Measurement) -> f64;

/// Medians of throughput, p50 and p99 of `a` and `b`, and their ratios (a / b).
#[must_use]
pub fn comparison(a_name: &str, a: &[Measurement], b_name: &str, b: &[Measurement]) -> String {
    let stat = |runs: &[Measurement], f: Metric| median(&runs.iter().map(f).collect::<Vec<_>>());
    let metrics: [(&str, Metric); 3] = [
        ("ok/s", |m| m.throughput()),
        ("p50 ms", |m| m.millis_at(0.5)),
        ("p99 ms", |m| m.millis_at(0.99)),
    ];
    let mut out = format!(
        "medians of {} rounds each\n\n| metric | {a_name} | {b_name} | ratio |\n|---|---:|---:|---:|\n",
        a.len().min(b.len())
    );
    for (name, f) in metrics {
        let (x, y) = (stat(a, f), stat(b, f));
        let ratio = if y > 0.0 { x / y } else { f64::NAN };
        let _ = writeln!(out, "| {name} | {x:.2} | {y:.2} | {ratio:.2} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
