//! Storage: one database per service, SQLite (the embedded default) or PostgreSQL (production),
//! chosen by URL. The same sea-orm code runs on both.
//!
//! - [`connect`] opens a pool with the right settings for the backend (SQLite: WAL, busy timeout,
//!   foreign keys; PostgreSQL: pool sizes and timeouts).
//! - [`migrate`] runs a service's sea-orm migrations (at start-up, or from `genuine migrate`).
//! - [`begin_write`] starts a transaction that will write: on SQLite it takes the write lock up
//!   front, so two writers never deadlock upgrading read locks.
//! - [`lock_keys`] locks application keys (rows that may not exist yet) for a transaction.
//! - [`testing`] gives tests a fresh database on SQLite and, when configured, PostgreSQL.

mod connect;
mod key_locks;
mod probe;
pub mod testing;

pub use connect::{StorageConfig, connect, sqlite_url_in};
pub use key_locks::{KeyLock, lock_keys};
pub use probe::ping;

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

/// Applies every pending migration of `M`.
///
/// # Errors
/// The database error of the failing migration.
pub async fn migrate<M: MigratorTrait>(db: &DatabaseConnection) -> Result<(), DbErr> {
    M::up(db, None).await
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: taking the write lock
/// at the start lets the busy timeout queue writers instead of failing one of them when both try
/// to upgrade a read lock.
///
/// # Errors
/// When the database cannot begin a transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
