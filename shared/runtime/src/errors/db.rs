//! Database errors: a lost connection is `UNAVAILABLE` (retry later); text the database cannot
//! store (a NUL character, which PostgreSQL refuses in `text`) is the caller's bad input;
//! anything else is a bug.

use sea_orm::DbErr;

use super::ServiceError;

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        if is_unstorable_text(&error) {
            Self::invalid_field(
                "request",
                "text fields must not contain NUL (U+0000) characters",
            )
        } else if is_unavailable(&error) {
            tracing::warn!(error = %error, "database unavailable");
            Self::unavailable("the database is unavailable; try again later")
        } else {
            Self::internal(error)
        }
    }
}

/// Whether the database refused a value as text it cannot hold (SQLSTATE 22021 on PostgreSQL:
/// `invalid byte sequence for encoding "UTF8": 0x00`).
#[must_use]
pub fn is_unstorable_text(error: &DbErr) -> bool {
    let text = error.to_string();
    text.contains("invalid byte sequence") || text.contains("22021")
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

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;
    use crate::errors::ErrorCode;
    use crate::storage::testing::TestDatabase;

    #[tokio::test]
    async fn a_nul_character_is_bad_input_not_an_outage() {
        for test_db in TestDatabase::all().await {
            test_db
                .db
                .execute_unprepared("CREATE TABLE notes (body TEXT NOT NULL)")
                .await
                .expect("create");
            let insert = sea_orm::Statement::from_sql_and_values(
                test_db.db.get_database_backend(),
                match test_db.db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => "INSERT INTO notes (body) VALUES ($1)",
                    _ => "INSERT INTO notes (body) VALUES (?)",
                },
                ["a\0b".into()],
            );
            match test_db.db.execute_raw(insert).await {
                // SQLite stores it; PostgreSQL refuses it, and that must read as bad input.
                Ok(_) => assert_eq!(test_db.backend, crate::storage::testing::Backend::Sqlite),
                Err(error) => {
                    let mapped = ServiceError::from(error);
                    assert_eq!(mapped.code(), ErrorCode::InvalidArgument, "{mapped}");
                }
            }
        }
    }
}
