//! Screening decisions as a metric: `screening.decisions` (counter, `{listing}`), attribute
//! `decision` = `PUBLISH` | `HOLD_FOR_REVIEW` | `BLOCK`. A rising share of holds or blocks is the
//! first sign of a wave of fakes, or of a catalogue or threshold change gone wrong.

use std::sync::OnceLock;

use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;

use crate::screening::Decision;

/// Counts one screening decision.
pub(super) fn record_decision(decision: Decision) {
    static DECISIONS: OnceLock<Counter<u64>> = OnceLock::new();
    // Created on first use, after `telemetry::init` installed the meter provider at start-up.
    let counter = DECISIONS.get_or_init(|| {
        opentelemetry::global::meter("genuine")
            .u64_counter("screening.decisions")
            .with_description("Screening decisions by outcome")
            .with_unit("{listing}")
            .build()
    });
    let name = match decision {
        Decision::Publish => "PUBLISH",
        Decision::HoldForReview => "HOLD_FOR_REVIEW",
        Decision::Block => "BLOCK",
    };
    counter.add(1, &[KeyValue::new("decision", name)]);
}
