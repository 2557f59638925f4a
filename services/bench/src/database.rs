//! Fresh databases for a run: one per service, on the PostgreSQL server given (created with a
//! random name, dropped at the end), else SQLite files in a temporary folder. A benchmark never
//! touches an existing database.

use genuine_runtime::storage::testing::TestDatabase;
use genuine_runtime::storage::{StorageConfig, connect};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Which database the run measures, for the tables' titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name printed in tables.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// A database that exists for this run only: the runtime's scratch databases, so a benchmark
/// creates and drops them exactly as the tests do.
#[derive(Debug)]
pub struct BenchDatabase {
    /// Its URL, for a service's settings or more connections.
    pub url: String,
    pub backend: Backend,
    _scratch: TestDatabase,
}

impl BenchDatabase {
    /// A new, empty database: on `postgres_admin_url` when given, else SQLite.
    ///
    /// # Errors
    /// The server cannot be reached or the database not created.
    pub async fn create(postgres_admin_url: Option<&str>) -> anyhow::Result<Self> {
        let (scratch, backend) = match postgres_admin_url {
            Some(admin_url) => (
                TestDatabase::postgres_on(admin_url).await?,
                Backend::Postgres,
            ),
            None => (TestDatabase::sqlite().await, Backend::Sqlite),
        };
        Ok(Self {
            url: scratch.url.clone(),
            backend,
            _scratch: scratch,
        })
    }

    /// A pool of `connections` to it.
    ///
    /// # Errors
    /// It cannot be opened.
    pub async fn connect(&self, connections: u32) -> anyhow::Result<DatabaseConnection> {
        let mut config = StorageConfig::new(self.url.clone());
        config.max_connections = Some(connections);
        Ok(connect(&config).await?)
    }
}

/// Puts a database just seeded in bulk into the state a long-running one is in before the
/// rounds start: statistics gathered, the bulk load vacuumed and checkpointed. Otherwise the
/// load's own cost lands in the first rounds: on PostgreSQL, the ~500 MB of WAL that 1 M hashes
/// leave start a checkpoint (`max_wal_size`) during round 2, and the full-page writes after it
/// took round 2's p99 of create-listing at 1,450 /s to 66–87 ms against 18–27 ms without
/// (docs/benchmarks.md); autovacuum would also come for the fresh tables mid-run. On SQLite,
/// the WAL is folded back into the database file.
///
/// # Errors
/// The statements fail (on PostgreSQL, `CHECKPOINT` needs a superuser or `pg_checkpoint`).
pub async fn settle(db: &DatabaseConnection) -> anyhow::Result<()> {
    let statements: &[&str] = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => &["VACUUM (ANALYZE)", "CHECKPOINT"],
        _ => &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"],
    };
    for statement in statements {
        db.execute_unprepared(statement)
            .await
            .map_err(|e| anyhow::anyhow!("settling the seeded database ({statement}): {e}"))?;
    }
    Ok(())
}
