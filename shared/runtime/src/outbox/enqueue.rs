//! Writing to the queue inside the caller's transaction, so a state change and the messages it
//! causes commit or roll back together.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use super::claim::message_from_row;
use super::message::{NewMessage, Status};
use super::sql::statement;
use super::wake::{Handover, Wake};
use crate::clock::to_millis;

/// Adds `msg` to the queue on `conn` (a transaction, usually). Idempotent: when (kind, key) is
/// already queued — in any status — nothing is inserted and the answer is `false`.
///
/// After the transaction commits, wake the dispatcher ([`super::Wake::wake`]) so delivery starts
/// now rather than at the next poll.
///
/// # Errors
/// The database error.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, msg: NewMessage) -> Result<bool, DbErr> {
    Ok(enqueue_many(conn, vec![msg]).await? == 1)
}

/// Adds `messages` to the queue on `conn` in one statement (a batch of writes committing
/// together). Idempotent like [`enqueue`]: a (kind, key) already queued is skipped. Answers how
/// many rows were inserted.
///
/// # Errors
/// The database error.
pub async fn enqueue_many<C: ConnectionTrait>(
    conn: &C,
    messages: Vec<NewMessage>,
) -> Result<u64, DbErr> {
    if messages.is_empty() {
        return Ok(0);
    }
    let insert = insert_statement(conn.get_database_backend(), messages, None);
    Ok(conn.execute_raw(insert).await?.rows_affected())
}

/// Adds `messages` like [`enqueue_many`], but those due by `now` already claimed for this
/// process's dispatcher, which [`Wake::hand_over`] gives them to after COMMIT: they are then
/// delivered without being claimed again (one statement and one row version less each). When
/// no dispatcher runs beside `wake`, or it already holds many handovers, every row is written
/// unclaimed and handing over only wakes it.
///
/// # Errors
/// The database error.
pub async fn enqueue_for_handover<C: ConnectionTrait>(
    conn: &C,
    messages: Vec<NewMessage>,
    now: DateTime<Utc>,
    wake: &Wake,
) -> Result<Handover, DbErr> {
    let Some(lease_ms) = wake.lease_for_handover() else {
        let unclaimed = enqueue_many(conn, messages).await? > 0;
        return Ok(Handover {
            unclaimed,
            ..Handover::default()
        });
    };
    let (due, later): (Vec<_>, Vec<_>) = messages.into_iter().partition(|m| m.due_at <= now);
    let unclaimed = enqueue_many(conn, later).await? > 0;
    if due.is_empty() {
        return Ok(Handover {
            unclaimed,
            ..Handover::default()
        });
    }
    let lease_until = to_millis(now).saturating_add(lease_ms);
    let insert = insert_statement(conn.get_database_backend(), due, Some(lease_until));
    let rows = conn.query_all_raw(insert).await?;
    let mut messages = rows
        .iter()
        .map(message_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    messages.sort_by_key(|m| m.id);
    Ok(Handover {
        lease_until,
        messages,
        unclaimed,
    })
}

/// The INSERT of `messages` (at least one), skipping a (kind, key) already queued; claimed
/// until `claimed_until` (as their first attempt, answering the inserted rows) when given.
fn insert_statement(
    backend: DbBackend,
    messages: Vec<NewMessage>,
    claimed_until: Option<i64>,
) -> Statement {
    // Informational only (operators read it); scheduling uses `due_at` from the clock.
    let created_at = to_millis(Utc::now());
    let attempts = i32::from(claimed_until.is_some());
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; messages.len()].join(", ");
    let mut values: Vec<Value> = Vec::with_capacity(messages.len() * 9);
    for msg in messages {
        values.extend([
            msg.kind.into(),
            msg.key.into(),
            msg.payload.into(),
            msg.trace_parent.into(),
            Status::Pending.as_str().into(),
            attempts.into(),
            to_millis(msg.due_at).into(),
            claimed_until.into(),
            created_at.into(),
        ]);
    }
    let returning = if claimed_until.is_some() {
        " RETURNING id, kind, \"key\", payload, attempts, due_at, trace_parent"
    } else {
        ""
    };
    // No conflict target: the only unique constraint besides the generated id is (kind, key).
    // SQLite resolves a named target when preparing, against the connection's cached schema; a
    // pooled connection that cached the schema before the migration created the index rejects
    // the statement. Without a target the check happens when the row is written.
    let sql = format!(
        "INSERT INTO outbox (kind, \"key\", payload, trace_parent, status, attempts, due_at, \
         claimed_until, created_at) VALUES {rows} ON CONFLICT DO NOTHING{returning}"
    );
    statement(backend, &sql, values)
}

/// Withdraws a pending item (a deadline made moot, say a counter-notice window closed by legal
/// action). Answers whether something was cancelled: `false` when it is unknown, already
/// delivered, parked or cancelled. A delivery already in flight still completes.
///
/// # Errors
/// The database error.
pub async fn cancel<C: ConnectionTrait>(conn: &C, kind: &str, key: &str) -> Result<bool, DbErr> {
    let stmt = statement(
        conn.get_database_backend(),
        "UPDATE outbox SET status = ?, claimed_until = NULL, finished_at = ? \
         WHERE kind = ? AND \"key\" = ? AND status = ?",
        vec![
            Status::Cancelled.as_str().into(),
            to_millis(Utc::now()).into(),
            kind.into(),
            key.into(),
            Status::Pending.as_str().into(),
        ],
    );
    Ok(conn.execute_raw(stmt).await?.rows_affected() > 0)
}

/// Moves a pending item's due time (a deadline extended or brought forward). Answers whether a
/// pending item was found.
///
/// # Errors
/// The database error.
pub async fn reschedule<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    key: &str,
    due_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let stmt = statement(
        conn.get_database_backend(),
        "UPDATE outbox SET due_at = ? WHERE kind = ? AND \"key\" = ? AND status = ?",
        vec![
            to_millis(due_at).into(),
            kind.into(),
            key.into(),
            Status::Pending.as_str().into(),
        ],
    );
    Ok(conn.execute_raw(stmt).await?.rows_affected() > 0)
}
