//! Opening a database by URL with settings that suit its backend.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// A pooled connection idle at least this long is pinged before it is handed out. sqlx's default
/// pings on every checkout: a round trip before each query outside a transaction. A connection
/// in use a moment ago is very likely still alive, and if it is not, the query fails as
/// UNAVAILABLE, which callers retry, and the pool drops the broken connection.
const PING_CONNECTIONS_IDLE_FOR: Duration = Duration::from_secs(1);

/// How to reach a service's database.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// `sqlite://path/to/file.db?mode=rwc` or `postgres://user@host:5432/db`.
    pub url: String,
    /// Pool size; `None` picks the backend's default (SQLite 4, PostgreSQL 16).
    pub max_connections: Option<u32>,
    /// How long to wait for a connection from the pool before answering UNAVAILABLE.
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for the write lock.
    pub busy_timeout: Duration,
}

impl StorageConfig {
    /// Settings for `url` with defaults.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }

    /// Whether the URL names a SQLite database.
    #[must_use]
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }
}

/// The URL of the SQLite file for `service` under `data_dir`, created if missing.
#[must_use]
pub fn sqlite_url_in(data_dir: &Path, service: &str) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join(format!("{service}.db")).display()
    )
}

/// Opens a pool. Connects eagerly, so a wrong URL fails at start with the database's own error.
///
/// # Errors
/// When the database cannot be reached or the URL is not understood.
pub async fn connect(config: &StorageConfig) -> Result<DatabaseConnection, DbErr> {
    let sqlite = config.is_sqlite();
    if !sqlite && !config.url.starts_with("postgres") {
        return Err(DbErr::Custom(
            "database URL must start with sqlite:// or postgres://".to_owned(),
        ));
    }
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(
            config
                .max_connections
                .unwrap_or(if sqlite { 4 } else { 16 }),
        )
        .min_connections(if sqlite { 1 } else { 2 })
        .acquire_timeout(config.acquire_timeout)
        .connect_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(PING_CONNECTIONS_IDLE_FOR)
        .sqlx_logging(false);
    if sqlite {
        let busy = config.busy_timeout;
        options.map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy)
                .foreign_keys(true)
                .create_if_missing(true)
        });
    }
    Database::connect(options).await
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use super::*;
    use crate::errors::{ErrorCode, ServiceError};
    use crate::storage::testing::TestDatabase;

    async fn backend_pid(db: &DatabaseConnection) -> Result<i32, DbErr> {
        db.query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_backend_pid()",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no row".to_owned()))?
        .try_get_by_index::<i32>(0)
    }

    /// Connections used recently are handed out without a ping, so one the server ended (as a
    /// restart does) fails its next query: that must read as UNAVAILABLE, which callers retry,
    /// and the pool must then open a new connection rather than keep the dead one.
    #[tokio::test]
    async fn a_pooled_connection_the_server_ended_fails_once_as_unavailable_then_recovers() {
        let Some(test_db) = TestDatabase::postgres().await else {
            return;
        };
        let mut config = StorageConfig::new(test_db.url.clone());
        config.max_connections = Some(1);
        let pool = connect(&config).await.expect("pool");
        let first_pid = backend_pid(&pool).await.expect("pid");
        test_db
            .db
            .execute_unprepared(&format!("SELECT pg_terminate_backend({first_pid})"))
            .await
            .expect("terminate");
        // Well within PING_CONNECTIONS_IDLE_FOR, so the dead connection is not pinged first.
        tokio::time::sleep(Duration::from_millis(100)).await;
        match backend_pid(&pool).await {
            Ok(pid) => assert_ne!(pid, first_pid, "the ended connection answered"),
            Err(error) => {
                let mapped = ServiceError::from(error);
                assert_eq!(mapped.code(), ErrorCode::Unavailable, "{mapped}");
            }
        }
        let pid = backend_pid(&pool)
            .await
            .expect("the pool kept the dead connection");
        assert_ne!(pid, first_pid);
    }
}
