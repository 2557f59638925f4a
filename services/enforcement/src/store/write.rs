//! Write transactions of this store. Every change appends to the audit log, whose single head row
//! (`audit_state`) all writers must lock; writers also bump shared report counters. Taking the
//! head first, before any other row, gives every transaction the same lock order: otherwise one
//! holds a counter while waiting for the head and another holds the head while waiting for that
//! counter, and PostgreSQL aborts one of them as a deadlock.

use genuine_runtime::storage::begin_write;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QuerySelect};

use super::entities::audit_state;

/// A write transaction that holds the audit log's head.
///
/// # Errors
/// The database error.
pub(crate) async fn begin_logged(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = begin_write(db).await?;
    audit_state::Entity::find_by_id(1)
        .lock_exclusive()
        .one(&txn)
        .await?;
    Ok(txn)
}
