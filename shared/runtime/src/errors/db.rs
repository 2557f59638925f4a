//! Database errors: a lost connection or a server stopping or starting is `UNAVAILABLE` (retry
//! later); text the database cannot
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
                // sqlx's I/O error: the server went away mid-conversation (killed, restarted).
                "error communicating with database",
                // PostgreSQL ending sessions as it stops (SQLSTATE 57P01/57P02) or refusing them
                // while it starts, stops or recovers (57P03).
                "terminating connection due to",
                "the database system is",
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

    /// A connection the server ends mid-transaction (as when PostgreSQL is stopped or restarted)
    /// is an outage, not a bug. Found by the fault test with real processes, which got INTERNAL
    /// ("error communicating with database") while PostgreSQL was down.
    #[tokio::test]
    async fn a_connection_ended_by_the_server_is_unavailable() {
        use sea_orm::TransactionTrait;
        let Some(test_db) = TestDatabase::postgres().await else {
            return;
        };
        let txn = test_db.db.begin().await.expect("begin");
        let pid = txn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_backend_pid()",
            ))
            .await
            .expect("pid")
            .expect("a row")
            .try_get_by_index::<i32>(0)
            .expect("int");
        let admin =
            crate::storage::connect(&crate::storage::StorageConfig::new(test_db.url.clone()))
                .await
                .expect("second connection");
        admin
            .execute_unprepared(&format!("SELECT pg_terminate_backend({pid})"))
            .await
            .expect("terminate");
        for _ in 0..2 {
            // The first statement may read the server's goodbye, the next the closed socket.
            let Err(error) = txn.execute_unprepared("SELECT 1").await else {
                panic!("the terminated connection answered");
            };
            let mapped = ServiceError::from(error);
            assert_eq!(mapped.code(), ErrorCode::Unavailable, "{mapped}");
        }
    }

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
