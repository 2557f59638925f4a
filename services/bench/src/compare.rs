//! Runs: a scenario alone, or a scenario and its baseline alternately (A, B, A, B, …) so that a
//! noisy neighbour on the shared machine hurts both alike; the medians of the rounds and their
//! ratio are the result.

use std::fmt;

use crate::args::{BenchArgs, Scenario};
use crate::load::{Measurement, Mode, Plan, drive};
use crate::report;
use crate::scenarios::{self, Prepared};

/// What a run measured, printable as its tables.
#[derive(Debug)]
pub struct Outcome {
    /// Each scenario with its rounds, in the order run.
    pub runs: Vec<(Scenario, Vec<Measurement>)>,
    text: String,
}

impl Outcome {
    /// What a run measured, and its tables.
    #[must_use]
    pub fn new(runs: Vec<(Scenario, Vec<Measurement>)>, text: String) -> Self {
        Self { runs, text }
    }

    /// Failed (or degraded) requests over every round of every scenario.
    #[must_use]
    pub fn errors(&self) -> u64 {
        self.runs
            .iter()
            .flat_map(|(_, rounds)| rounds)
            .map(Measurement::failed)
            .sum()
    }

    /// Successful requests of `scenario` over its rounds.
    #[must_use]
    pub fn ok(&self, scenario: Scenario) -> u64 {
        self.runs
            .iter()
            .filter(|(s, _)| *s == scenario)
            .flat_map(|(_, rounds)| rounds)
            .map(Measurement::ok)
            .sum()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The load `args` asks for.
#[must_use]
pub fn plan(args: &BenchArgs) -> Plan {
    let workers = args.concurrency.max(1);
    Plan {
        mode: match args.rate {
            Some(rate) => Mode::Open { rate, workers },
            None => Mode::Closed { workers },
        },
        warmup: args.warmup,
        duration: args.duration,
    }
}

/// Prepares the scenario (and its comparison), runs the rounds and tabulates them. The two
/// scenarios that are not one request repeated run their own way: screen-stream (streams, two
/// sizes) and idle-rss (processes, no load).
///
/// # Errors
/// A scenario that cannot be prepared, or one compared with itself.
pub async fn run(args: &BenchArgs) -> anyhow::Result<Outcome> {
    let args = args.effective();
    let alone = [Scenario::ScreenStream, Scenario::IdleRss];
    if let Some(other) = args
        .compare
        .filter(|o| alone.contains(o) || alone.contains(&args.scenario))
    {
        anyhow::bail!(
            "{} and {} cannot be compared: {} runs on its own",
            args.scenario.name(),
            other.name(),
            if alone.contains(&other) {
                other.name()
            } else {
                args.scenario.name()
            }
        );
    }
    match args.scenario {
        Scenario::ScreenStream => return scenarios::screen_stream::run(&args).await,
        Scenario::IdleRss => return crate::idle_rss::run(&args).await,
        _ => {}
    }
    let mut names = vec![args.scenario];
    if let Some(other) = args.compare {
        anyhow::ensure!(
            other != args.scenario,
            "--compare needs a different scenario"
        );
        names.push(other);
    }
    let mut prepared: Vec<(Scenario, Prepared)> = Vec::new();
    for scenario in names {
        eprintln!("bench: preparing {}…", scenario.name());
        prepared.push((scenario, scenarios::prepare(scenario, &args).await?));
    }
    let plan = plan(&args);
    let mut runs: Vec<(Scenario, Vec<Measurement>)> =
        prepared.iter().map(|(s, _)| (*s, Vec::new())).collect();
    for round in 1..=args.rounds.max(1) {
        for (i, (scenario, p)) in prepared.iter().enumerate() {
            eprintln!("bench: {} round {round}…", scenario.name());
            runs[i].1.push(drive(&p.op, plan).await);
        }
    }
    let mut text = String::new();
    for ((scenario, p), (_, rounds)) in prepared.iter().zip(&runs) {
        text.push_str(&format!(
            "\n## {} · {} · {} · {}\n\n{}\n",
            scenario.name(),
            p.backend,
            p.data,
            report::describe(&plan, args.channels),
            report::header()
        ));
        for (i, m) in rounds.iter().enumerate() {
            text.push_str(&report::row(&format!("round {}", i + 1), m));
            text.push('\n');
        }
    }
    if let [(a, ra), (b, rb)] = runs.as_slice() {
        text.push('\n');
        text.push_str(&report::comparison(a.name(), ra, b.name(), rb));
    }
    drop(prepared);
    Ok(Outcome { runs, text })
}
