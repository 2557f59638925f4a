//! Fresh databases for a run: one per service, on the PostgreSQL server given (created with a
//! random name, dropped at the end), else SQLite files in a temporary folder. A benchmark never
//! touches an existing database.

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

/// A database that exists for this run only.
#[derive(Debug)]
pub struct BenchDatabase {
    /// Its URL, for a service's settings or more connections.
    pub url: String,
    pub backend: Backend,
    drop_from: Option<(String, String)>,
    _folder: Option<tempfile::TempDir>,
}

impl BenchDatabase {
    /// A new, empty database: on `postgres_admin_url` when given, else SQLite.
    ///
    /// # Errors
    /// The server cannot be reached or the database not created.
    pub async fn create(postgres_admin_url: Option<&str>) -> anyhow::Result<Self> {
        let Some(admin_url) = postgres_admin_url else {
            let folder = tempfile::tempdir()?;
            let url = genuine_runtime::storage::sqlite_url_in(folder.path(), "bench");
            return Ok(Self {
                url,
                backend: Backend::Sqlite,
                drop_from: None,
                _folder: Some(folder),
            });
        };
        let name = format!("genuine_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = connect(&StorageConfig::new(admin_url)).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await.ok();
        Ok(Self {
            url: with_database(admin_url, &name),
            backend: Backend::Postgres,
            drop_from: Some((admin_url.to_owned(), name)),
            _folder: None,
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

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_from.take() else {
            return;
        };
        // Drop may run inside the runtime, which cannot be blocked on: a thread with its own
        // small runtime does it. FORCE ends the connections services still hold.
        let joined = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let admin = connect(&StorageConfig::new(admin_url)).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(joined, Ok(Some(_))) {
            eprintln!("bench: could not drop a benchmark database");
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_options_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
