//! Resilience of the running suite (issue 9): a peer down for a minute, two replicas of every
//! service on the same databases, and overload. Each test starts its own suite with fresh
//! databases, so they run side by side; the two that load the CPU take turns.

mod db;
mod downstream_down;
mod load;
mod overload;
mod replicas;

use std::time::Duration;

/// Held by the tests that keep both cores busy (replicas, overload), so that one's load does not
/// become the other's measurement. The downstream-down tests mostly wait, and run alongside.
static CPU_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `var` as whole seconds, else `default`: the long phases are configurable so that a full run
/// and a quicker one use the same test.
fn seconds_from_env(var: &str, default: u64) -> Duration {
    let seconds = std::env::var(var)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{var}={v:?} is not whole seconds"))
        })
        .unwrap_or(default);
    Duration::from_secs(seconds)
}
