//! The outbox and durable deadlines: one work queue (the `outbox` table) in each service's own
//! database.
//!
//! - A state change and the messages it causes commit together: [`enqueue`] runs in the
//!   caller's transaction, idempotent on (kind, key).
//! - A deadline is the same row with a future `due_at` ([`NewMessage::deadline`]); [`cancel`]
//!   withdraws it.
//! - A [`Dispatcher`] claims due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//!   replicas share the work), hands each to the [`Handler`] registered for its kind, retries
//!   transient failures with exponential backoff and full jitter, and parks the rest — kept and
//!   visible ([`parked`], [`backlog`]), never dropped.
//! - Delivery is at least once; receivers are idempotent on the key, so the effect is once.
//!
//! Wiring in a service:
//! 1. list [`OutboxMigration`] in the service's `Migrator`;
//! 2. in a write transaction: change state, `enqueue(&txn, NewMessage::now(..))`, commit, then
//!    [`Wake::wake`]; or, on a hot path, `enqueue_for_handover` and, after the commit,
//!    [`Wake::hand_over`], which spares the dispatcher claiming the rows;
//! 3. at start: `Dispatcher::new(db, Handlers::new().with(kind, handler), clock, config)`, keep
//!    its [`Dispatcher::waker`], spawn [`Dispatcher::run`] with the shutdown token.

mod backoff;
mod claim;
mod dispatcher;
mod enqueue;
mod handler;
mod message;
mod metrics;
mod migration;
mod operator;
mod sql;
mod wake;

#[cfg(test)]
mod tests;

pub use backoff::{ceiling as backoff_ceiling, full_jitter};
pub use dispatcher::{Dispatcher, DispatcherConfig};
pub use enqueue::{cancel, enqueue, enqueue_for_handover, enqueue_many, reschedule};
pub use handler::{Failure, FnHandler, Handler, Handlers};
pub use message::{Message, NewMessage, current_trace_parent};
pub use metrics::register_metrics;
pub use migration::OutboxMigration;
pub use operator::{Backlog, ParkedMessage, backlog, parked, purge_finished, retry_parked};
pub use wake::{Handover, Wake};
