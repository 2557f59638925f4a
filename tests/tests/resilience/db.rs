//! What the tests read straight from the services' databases: outbox rows (attempts, next due
//! time) and counts of effect rows, the ground truth for "applied exactly once".

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// `outbox.status` of a message still to deliver.
pub const PENDING: &str = "pending";
/// `outbox.status` of a delivered message.
pub const DELIVERED: &str = "delivered";
/// `outbox.status` of a deadline withdrawn before it was due.
pub const CANCELLED: &str = "cancelled";

/// One row of a service's `outbox` table.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub kind: String,
    pub key: String,
    pub status: String,
    pub attempts: i32,
    /// Milliseconds since the epoch (the services run on the system clock here).
    pub due_at: i64,
    pub last_error: Option<String>,
}

/// Every outbox row of `kind`, oldest first.
pub async fn outbox(db: &DatabaseConnection, kind: &str) -> Vec<OutboxRow> {
    outbox_where(db, &format!("kind = '{kind}'")).await
}

/// Every outbox row, whatever its kind.
pub async fn all_outbox(db: &DatabaseConnection) -> Vec<OutboxRow> {
    outbox_where(db, "1 = 1").await
}

async fn outbox_where(db: &DatabaseConnection, condition: &str) -> Vec<OutboxRow> {
    let sql = format!(
        "SELECT kind, \"key\", status, attempts, due_at, last_error FROM outbox \
         WHERE {condition} ORDER BY id"
    );
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("outbox rows");
    rows.iter()
        .map(|row| OutboxRow {
            kind: row.try_get("", "kind").expect("kind"),
            key: row.try_get("", "key").expect("key"),
            status: row.try_get("", "status").expect("status"),
            attempts: row.try_get("", "attempts").expect("attempts"),
            due_at: row.try_get("", "due_at").expect("due_at"),
            last_error: row.try_get("", "last_error").expect("last_error"),
        })
        .collect()
}

/// `SELECT COUNT(*) FROM {from_where}`, e.g. `violations WHERE seller_id = 's'`.
pub async fn count(db: &DatabaseConnection, from_where: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {from_where}");
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("one row")
        .try_get("", "n")
        .expect("n")
}

/// Milliseconds since the epoch now, on the clock the services read.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
