//! Health reporting driven by the service's probe: SERVING only while the probe passes.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use super::HealthProbe;

/// Sets every name (the server-wide `""` and each hosted service) to `status`.
pub(super) async fn set_all(reporter: &HealthReporter, names: &[String], status: ServingStatus) {
    for name in names {
        reporter.set_service_status(name, status).await;
    }
}

/// Polls `probe` every `interval` until `stop`, flipping SERVING ⇄ NOT_SERVING on change.
/// A probe that does not answer within `interval` counts as failed.
pub(super) async fn poll(
    server: String,
    reporter: HealthReporter,
    names: Vec<String>,
    probe: Arc<dyn HealthProbe>,
    interval: Duration,
    stop: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = None;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        let healthy = tokio::select! {
            () = stop.cancelled() => return,
            result = tokio::time::timeout(interval, probe.check()) => result.unwrap_or(false),
        };
        if last == Some(healthy) {
            continue;
        }
        last = Some(healthy);
        if healthy {
            set_all(&reporter, &names, ServingStatus::Serving).await;
            tracing::info!(server, "health probe passes: SERVING");
        } else {
            set_all(&reporter, &names, ServingStatus::NotServing).await;
            tracing::warn!(server, "health probe fails: NOT_SERVING");
        }
    }
}
