//! Backlog and age as OpenTelemetry gauges (`outbox.backlog`, `outbox.oldest_age_seconds`);
//! registered by [`crate::host::Host::run`] for every service.
//! Gauge callbacks are synchronous and must not query the database, so a task refreshes a
//! snapshot that the callbacks read.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::{KeyValue, global};
use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Backlog, backlog};
use crate::clock::SharedClock;

/// Registers the outbox gauges for `service` on the global meter provider (install telemetry
/// first) and spawns the task that refreshes them every `interval` until `shutdown`.
pub fn register_metrics(
    db: DatabaseConnection,
    clock: SharedClock,
    service: &'static str,
    interval: Duration,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    let snapshot: Arc<Mutex<Option<Backlog>>> = Arc::default();
    let meter = global::meter("genuine");
    let read = snapshot.clone();
    meter
        .u64_observable_gauge("outbox.backlog")
        .with_description(
            "Outbox rows by state: pending (due or not), due, scheduled (not due yet), parked",
        )
        .with_callback(move |observer| {
            if let Some(b) = *read.lock().unwrap_or_else(PoisonError::into_inner) {
                // `scheduled`: pending but not due yet, i.e. the deadlines still running
                // (counter-notice, appeal and suspension windows) and retries backing off.
                let scheduled = b.pending.saturating_sub(b.due);
                for (state, value) in [
                    ("pending", b.pending),
                    ("due", b.due),
                    ("scheduled", scheduled),
                    ("parked", b.parked),
                ] {
                    observer.observe(
                        value,
                        &[
                            KeyValue::new("service", service),
                            KeyValue::new("state", state),
                        ],
                    );
                }
            }
        })
        .build();
    let read = snapshot.clone();
    meter
        .f64_observable_gauge("outbox.oldest_age_seconds")
        .with_description("How long the oldest due outbox row has waited")
        .with_unit("s")
        .with_callback(move |observer| {
            if let Some(b) = *read.lock().unwrap_or_else(PoisonError::into_inner) {
                let age = b.oldest_due_age.unwrap_or_default().as_secs_f64();
                observer.observe(age, &[KeyValue::new("service", service)]);
            }
        })
        .build();
    tokio::spawn(async move {
        loop {
            match backlog(&db, clock.as_ref()).await {
                Ok(current) => {
                    *snapshot.lock().unwrap_or_else(PoisonError::into_inner) = Some(current)
                }
                Err(error) => tracing::debug!(%error, "outbox backlog not measured"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
    })
}
