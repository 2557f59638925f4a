//! What goes into the queue and what a handler gets out of it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use opentelemetry::global;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::clock::Clock;

use super::Failure;

/// A message or deadline to enqueue in the caller's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// What it is, and so which handler delivers it: `enforcement.submit_notice`,
    /// `enforcement.counter_notice_window`.
    pub kind: String,
    /// Idempotency key, unique per kind: enqueueing the same (kind, key) twice stores one row.
    /// The receiver should be idempotent on it too (e.g. `case_id` + action).
    pub key: String,
    /// Usually an encoded protobuf request.
    pub payload: Vec<u8>,
    /// When it becomes deliverable: now for a message, the expiry for a deadline.
    pub due_at: DateTime<Utc>,
    /// W3C `traceparent` of the span that caused it, so the delivery joins the same trace.
    pub trace_parent: Option<String>,
}

impl NewMessage {
    /// A message to deliver as soon as possible, linked to the current span's trace.
    #[must_use]
    pub fn now(
        kind: impl Into<String>,
        key: impl Into<String>,
        payload: Vec<u8>,
        clock: &dyn Clock,
    ) -> Self {
        Self::deadline(kind, key, payload, clock.now())
    }

    /// A deadline: delivered (fired) once the clock reaches `due_at`, unless cancelled first.
    #[must_use]
    pub fn deadline(
        kind: impl Into<String>,
        key: impl Into<String>,
        payload: Vec<u8>,
        due_at: DateTime<Utc>,
    ) -> Self {
        Self {
            kind: kind.into(),
            key: key.into(),
            payload,
            due_at,
            trace_parent: current_trace_parent(),
        }
    }
}

/// A claimed item, as a handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Row id (for logs and operators).
    pub id: i64,
    /// The kind it was enqueued with.
    pub kind: String,
    /// The idempotency key it was enqueued with: pass it on to the receiver.
    pub key: String,
    /// The payload it was enqueued with.
    pub payload: Vec<u8>,
    /// Which delivery attempt this is, starting at 1.
    pub attempts: u32,
    /// When it became due.
    pub due_at: DateTime<Utc>,
    /// The `traceparent` of the span that enqueued it.
    pub trace_parent: Option<String>,
}

impl Message {
    /// Decodes the payload as protobuf `T`. A payload that does not decode never will: park it.
    ///
    /// # Errors
    /// [`Failure::Park`] naming the decode error.
    pub fn decode<T: prost::Message + Default>(&self) -> Result<T, Failure> {
        T::decode(self.payload.as_slice())
            .map_err(|e| Failure::Park(format!("payload of {} does not decode: {e}", self.kind)))
    }
}

/// Where a row is in its life. Stored as text so operators can read the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Waiting to be due, or due and not yet delivered.
    Pending,
    /// Handled successfully.
    Delivered,
    /// Given up on: kept for an operator to inspect and retry.
    Parked,
    /// Withdrawn before delivery (a deadline made moot).
    Cancelled,
}

impl Status {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Parked => "parked",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The W3C `traceparent` of the current span, when it has a valid OpenTelemetry context and a
/// propagator is installed.
#[must_use]
pub fn current_trace_parent() -> Option<String> {
    let cx = tracing::Span::current().context();
    let mut carrier: HashMap<String, String> = HashMap::new();
    global::get_text_map_propagator(|propagator| propagator.inject_context(&cx, &mut carrier));
    carrier.remove("traceparent")
}

/// The OpenTelemetry context a stored `traceparent` names (empty when absent or malformed).
pub(crate) fn context_from_trace_parent(trace_parent: Option<&str>) -> opentelemetry::Context {
    let mut carrier: HashMap<String, String> = HashMap::new();
    if let Some(value) = trace_parent {
        carrier.insert("traceparent".to_owned(), value.to_owned());
    }
    global::get_text_map_propagator(|propagator| propagator.extract(&carrier))
}
