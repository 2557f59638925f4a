//! Opening a database by URL with settings that suit its backend.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

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
