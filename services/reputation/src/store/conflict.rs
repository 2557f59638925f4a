//! Races on unique keys. On PostgreSQL two first attempts with the same idempotency key can
//! both find no row and both insert; the loser fails on the unique index. Running it once more
//! finds the winner's row and answers like a replay.

use std::future::Future;

use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::{DbErr, SqlErr};

/// An operation's failure: a service error, or a database error kept as such so that a lost
/// race on a unique key can be recognised.
#[derive(Debug)]
pub enum TxError {
    Service(ServiceError),
    Db(DbErr),
}

impl From<ServiceError> for TxError {
    fn from(error: ServiceError) -> Self {
        Self::Service(error)
    }
}

impl From<DbErr> for TxError {
    fn from(error: DbErr) -> Self {
        Self::Db(error)
    }
}

impl From<TxError> for ServiceError {
    fn from(error: TxError) -> Self {
        match error {
            TxError::Service(error) => error,
            TxError::Db(error) => error.into(),
        }
    }
}

impl TxError {
    fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Db(db) if matches!(db.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
    }
}

/// Runs `attempt`, and once more if it lost a race on a unique key.
///
/// # Errors
/// The attempt's error.
pub async fn once_more_on_conflict<T, F, Fut>(attempt: F) -> ServiceResult<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, TxError>>,
{
    match attempt().await {
        Err(error) if error.is_unique_violation() => attempt().await.map_err(Into::into),
        other => other.map_err(Into::into),
    }
}
