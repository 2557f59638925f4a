//! Writing to the queue inside the caller's transaction, so a state change and the messages it
//! causes commit or roll back together.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use super::message::{NewMessage, Status};
use super::sql::statement;
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
    let backend = conn.get_database_backend();
    // Informational only (operators read it); scheduling uses `due_at` from the clock.
    let created_at = to_millis(Utc::now());
    let rows = vec!["(?, ?, ?, ?, ?, 0, ?, ?)"; messages.len()].join(", ");
    let mut values: Vec<Value> = Vec::with_capacity(messages.len() * 7);
    for msg in messages {
        values.extend([
            msg.kind.into(),
            msg.key.into(),
            msg.payload.into(),
            msg.trace_parent.into(),
            Status::Pending.as_str().into(),
            to_millis(msg.due_at).into(),
            created_at.into(),
        ]);
    }
    // No conflict target: the only unique constraint besides the generated id is (kind, key).
    // SQLite resolves a named target when preparing, against the connection's cached schema; a
    // pooled connection that cached the schema before the migration created the index rejects
    // the statement. Without a target the check happens when the row is written.
    let sql = format!(
        "INSERT INTO outbox (kind, \"key\", payload, trace_parent, status, attempts, due_at, created_at) \
         VALUES {rows} ON CONFLICT DO NOTHING"
    );
    Ok(conn
        .execute_raw(statement(backend, &sql, values))
        .await?
        .rows_affected())
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
