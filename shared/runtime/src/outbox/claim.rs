//! Claiming due rows with a lease, and recording each delivery's outcome.
//!
//! A claim is one `UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING …`
//! committed before any delivery starts: no transaction is held across a gRPC call. On PostgreSQL
//! `SKIP LOCKED` lets replicas claim disjoint batches without waiting on each other; SQLite has a
//! single writer, so the statement alone is enough. The lease (`claimed_until`) makes a crashed
//! replica's claims due again once it expires. Attempts are counted at claim time, so a message
//! that crashes its deliverer still runs out of attempts.
//!
//! Deliveries are recorded in batches ([`finish_delivered`]): one statement for the messages a
//! sweep delivered, instead of one per message; retries and parks are recorded one by one.
//!
//! Every later update is conditional on the row still being pending under our lease: a delivery
//! that outlived its lease (and was claimed by someone else) cannot overwrite the newer outcome.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};

use super::Message;
use super::message::Status;
use super::sql::{placeholders, statement};
use crate::clock::{from_millis, to_millis};

/// Rows claimed in one sweep, all under the same lease.
#[derive(Debug)]
pub(crate) struct Claim {
    /// `claimed_until` as stored: identifies our lease on these rows.
    pub(crate) lease_until: i64,
    /// The claimed messages, oldest due first.
    pub(crate) messages: Vec<Message>,
}

/// Claims up to `limit` due, unclaimed (or lease-expired) pending rows until `now + lease`.
pub(crate) async fn claim<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Result<Claim, DbErr> {
    let backend = conn.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let now_ms = to_millis(now);
    let lease_until = to_millis(now + lease);
    let sql = format!(
        "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM outbox \
           WHERE status = ? AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) \
           ORDER BY due_at, id LIMIT ?{lock}) \
         RETURNING id, kind, \"key\", payload, attempts, due_at, trace_parent"
    );
    let values: Vec<Value> = vec![
        lease_until.into(),
        Status::Pending.as_str().into(),
        now_ms.into(),
        now_ms.into(),
        i64::try_from(limit).unwrap_or(i64::MAX).into(),
    ];
    let rows = conn.query_all_raw(statement(backend, &sql, values)).await?;
    let mut messages = rows
        .iter()
        .map(message_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    // RETURNING keeps no order.
    messages.sort_by_key(|m| (m.due_at, m.id));
    Ok(Claim {
        lease_until,
        messages,
    })
}

pub(crate) fn message_from_row(row: &QueryResult) -> Result<Message, DbErr> {
    let attempts: i32 = row.try_get("", "attempts")?;
    Ok(Message {
        id: row.try_get("", "id")?,
        kind: row.try_get("", "kind")?,
        key: row.try_get("", "key")?,
        payload: row.try_get("", "payload")?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        due_at: from_millis(row.try_get("", "due_at")?),
        trace_parent: row.try_get("", "trace_parent")?,
    })
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Handled: done.
    Delivered,
    /// Try again at `due_at`.
    Retry {
        due_at: DateTime<Utc>,
        error: String,
    },
    /// Given up on.
    Parked { error: String },
}

/// Records `outcome` for row `id` if our lease still holds it. Answers whether it did.
pub(crate) async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    lease_until: i64,
    now: DateTime<Utc>,
    outcome: Outcome,
) -> Result<bool, DbErr> {
    let now_ms = to_millis(now);
    let (set, mut values): (&str, Vec<Value>) = match outcome {
        Outcome::Delivered => (
            "status = ?, finished_at = ?, last_error = NULL",
            vec![Status::Delivered.as_str().into(), now_ms.into()],
        ),
        Outcome::Retry { due_at, error } => (
            "due_at = ?, last_error = ?",
            vec![to_millis(due_at).into(), error.into()],
        ),
        Outcome::Parked { error } => (
            "status = ?, finished_at = ?, last_error = ?",
            vec![Status::Parked.as_str().into(), now_ms.into(), error.into()],
        ),
    };
    values.extend([
        id.into(),
        Status::Pending.as_str().into(),
        lease_until.into(),
    ]);
    let sql = format!(
        "UPDATE outbox SET {set}, claimed_until = NULL WHERE id = ? AND status = ? AND claimed_until = ?"
    );
    let result = conn
        .execute_raw(statement(conn.get_database_backend(), &sql, values))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Records delivery for the rows `ids` our lease still holds, in one statement. Answers how many
/// it did; the others were claimed by someone else after our lease expired.
pub(crate) async fn finish_delivered<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    lease_until: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE outbox SET status = ?, finished_at = ?, last_error = NULL, claimed_until = NULL \
         WHERE status = ? AND claimed_until = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut values: Vec<Value> = vec![
        Status::Delivered.as_str().into(),
        to_millis(now).into(),
        Status::Pending.as_str().into(),
        lease_until.into(),
    ];
    values.extend(ids.iter().map(|&id| Value::from(id)));
    let result = conn
        .execute_raw(statement(conn.get_database_backend(), &sql, values))
        .await?;
    Ok(result.rows_affected())
}

/// Gives back claimed rows whose delivery never started (shutdown): due again at once, and the
/// attempt counted at claim time is returned.
pub(crate) async fn release<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    lease_until: i64,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1 \
         WHERE status = ? AND claimed_until = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut values: Vec<Value> = vec![Status::Pending.as_str().into(), lease_until.into()];
    values.extend(ids.iter().map(|&id| Value::from(id)));
    let result = conn
        .execute_raw(statement(conn.get_database_backend(), &sql, values))
        .await?;
    Ok(result.rows_affected())
}
