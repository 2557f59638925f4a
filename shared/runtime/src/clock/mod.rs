//! An injectable clock. Deadlines (the counter-notice window, suspension ends, appeal windows) and
//! decay of standing depend on "now"; tests move time instead of sleeping.

mod manual;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use manual::ManualClock;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The shared handle services keep.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The wall clock as a shared handle.
#[must_use]
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// Milliseconds since the Unix epoch: the form times take in queue tables, identical on SQLite and
/// PostgreSQL.
#[must_use]
pub fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// The inverse of [`to_millis`]; out-of-range values clamp to the epoch.
#[must_use]
pub fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}
