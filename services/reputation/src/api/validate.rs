//! Small request checks shared by the handlers.

use chrono::{DateTime, TimeDelta, Utc};
use genuine_runtime::errors::Violations;
use prost_types::Timestamp;

use super::convert::time_of;

/// Longest id or key accepted.
pub const MAX_ID: usize = 200;
/// Longest free text (reasons, notes) accepted.
pub const MAX_TEXT: usize = 2_000;
/// How far in the future a reported decision or inspection time may lie (clock skew).
const FUTURE_TOLERANCE: TimeDelta = TimeDelta::days(1);

/// A required id: present and not too long.
pub fn id(v: &mut Violations, value: &str, field: &str) -> bool {
    v.require(value, field) && v.max_chars(value, MAX_ID, field)
}

/// A required free text.
pub fn text(v: &mut Violations, value: &str, field: &str) -> bool {
    v.require(value, field) && v.max_chars(value, MAX_TEXT, field)
}

/// A past (or present) time; `default` when absent, `None` when required and absent.
pub fn past_time(
    v: &mut Violations,
    ts: Option<&Timestamp>,
    field: &str,
    now: DateTime<Utc>,
    default: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let Some(ts) = ts else {
        if default.is_none() {
            v.add(field, "is required");
        }
        return default;
    };
    let time = time_of(ts, field, v)?;
    v.check(
        time <= now + FUTURE_TOLERANCE,
        field,
        "must not be in the future",
    )
    .then_some(time)
}

/// Whether `id` is a plausible seller id to store: printable ASCII without spaces.
#[must_use]
pub fn is_plain_id(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_graphic())
}
