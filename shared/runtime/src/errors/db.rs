//! Database errors: a lost connection is `UNAVAILABLE` (retry later), anything else is a bug.

use sea_orm::DbErr;

use super::ServiceError;

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        if is_unavailable(&error) {
            tracing::warn!(error = %error, "database unavailable");
            Self::unavailable("the database is unavailable; try again later")
        } else {
            Self::internal(error)
        }
    }
}

/// Whether the error means the database could not be reached (as opposed to a bad statement).
#[must_use]
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        other => {
            let text = other.to_string();
            [
                "PoolTimedOut",
                "Connection refused",
                "connection closed",
                "database is locked",
                "Io(",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
    }
}
