//! Whether the database answers: health reports NOT_SERVING while it does not.

use std::time::Duration;

use sea_orm::DatabaseConnection;

/// Pings the database, giving up after `timeout`.
pub async fn ping(db: &DatabaseConnection, timeout: Duration) -> bool {
    matches!(tokio::time::timeout(timeout, db.ping()).await, Ok(Ok(())))
}
