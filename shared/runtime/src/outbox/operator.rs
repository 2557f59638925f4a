//! What operators see and do: backlog and age, parked messages, retrying them, purging history.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use super::message::Status;
use super::sql::statement;
use crate::clock::{Clock, from_millis, to_millis};

/// How far behind the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    /// Rows waiting, due or not (future deadlines included).
    pub pending: u64,
    /// Pending rows whose time has come: the work not yet done.
    pub due: u64,
    /// Rows given up on, waiting for an operator.
    pub parked: u64,
    /// How long the oldest due row has been waiting: the queue's lag.
    pub oldest_due_age: Option<Duration>,
}

/// A parked row, for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedMessage {
    /// Row id: pass it to [`retry_parked`].
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Its idempotency key.
    pub key: String,
    /// Attempts made.
    pub attempts: u32,
    /// Why it was parked.
    pub last_error: Option<String>,
    /// When it was (last) due.
    pub due_at: DateTime<Utc>,
    /// When it was parked.
    pub parked_at: Option<DateTime<Utc>>,
}

/// Counts pending, due and parked rows, and the age of the oldest due one.
///
/// # Errors
/// The database error.
pub async fn backlog<C: ConnectionTrait>(conn: &C, clock: &dyn Clock) -> Result<Backlog, DbErr> {
    let now = to_millis(clock.now());
    let stmt = statement(
        conn.get_database_backend(),
        "SELECT \
           COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END), 0) AS due, \
           COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS parked, \
           MIN(CASE WHEN status = ? AND due_at <= ? THEN due_at END) AS oldest_due \
         FROM outbox WHERE status IN (?, ?)",
        vec![
            Status::Pending.as_str().into(),
            Status::Pending.as_str().into(),
            now.into(),
            Status::Parked.as_str().into(),
            Status::Pending.as_str().into(),
            now.into(),
            Status::Pending.as_str().into(),
            Status::Parked.as_str().into(),
        ],
    );
    let Some(row) = conn.query_one_raw(stmt).await? else {
        return Ok(Backlog::default());
    };
    let count = |column: &str| -> Result<u64, DbErr> {
        let value: i64 = row.try_get("", column)?;
        Ok(u64::try_from(value).unwrap_or(0))
    };
    let oldest_due: Option<i64> = row.try_get("", "oldest_due")?;
    Ok(Backlog {
        pending: count("pending")?,
        due: count("due")?,
        parked: count("parked")?,
        oldest_due_age: oldest_due
            .map(|due| Duration::from_millis(u64::try_from(now - due).unwrap_or(0))),
    })
}

/// The most recently parked rows, up to `limit`.
///
/// # Errors
/// The database error.
pub async fn parked<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<ParkedMessage>, DbErr> {
    let stmt = statement(
        conn.get_database_backend(),
        "SELECT id, kind, \"key\", attempts, last_error, due_at, finished_at FROM outbox \
         WHERE status = ? ORDER BY finished_at DESC, id DESC LIMIT ?",
        vec![
            Status::Parked.as_str().into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    );
    let rows = conn.query_all_raw(stmt).await?;
    rows.iter()
        .map(|row| {
            let attempts: i32 = row.try_get("", "attempts")?;
            let parked_at: Option<i64> = row.try_get("", "finished_at")?;
            Ok(ParkedMessage {
                id: row.try_get("", "id")?,
                kind: row.try_get("", "kind")?,
                key: row.try_get("", "key")?,
                attempts: u32::try_from(attempts).unwrap_or(0),
                last_error: row.try_get("", "last_error")?,
                due_at: from_millis(row.try_get("", "due_at")?),
                parked_at: parked_at.map(from_millis),
            })
        })
        .collect()
}

/// Puts parked row `id` back in the queue, due at once with its attempts reset (its last error
/// is kept until the next outcome). Answers whether a parked row was found.
///
/// # Errors
/// The database error.
pub async fn retry_parked<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let stmt = statement(
        conn.get_database_backend(),
        "UPDATE outbox SET status = ?, attempts = 0, claimed_until = NULL, finished_at = NULL \
         WHERE id = ? AND status = ?",
        vec![
            Status::Pending.as_str().into(),
            id.into(),
            Status::Parked.as_str().into(),
        ],
    );
    Ok(conn.execute_raw(stmt).await?.rows_affected() == 1)
}

/// Deletes delivered and cancelled rows finished before `before`, answering how many. Their
/// (kind, key) can then be enqueued again: purge only history whose keys cannot recur.
///
/// # Errors
/// The database error.
pub async fn purge_finished<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let values: Vec<Value> = vec![
        Status::Delivered.as_str().into(),
        Status::Cancelled.as_str().into(),
        to_millis(before).into(),
    ];
    let stmt = statement(
        conn.get_database_backend(),
        "DELETE FROM outbox WHERE status IN (?, ?) AND finished_at < ?",
        values,
    );
    Ok(conn.execute_raw(stmt).await?.rows_affected())
}
