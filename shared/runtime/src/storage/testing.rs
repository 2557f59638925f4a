//! Fresh databases for tests: a SQLite file in a temporary folder always, and a new PostgreSQL
//! database with a random name when `GENUINE_TEST_POSTGRES_URL` is set (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`). When that variable is set and PostgreSQL does
//! not answer, the test fails: it never silently skips.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

use super::{StorageConfig, connect, migrate};

/// The environment variable naming the PostgreSQL server tests use.
pub const POSTGRES_URL_VAR: &str = "GENUINE_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// A database that exists for one test and is removed afterwards.
#[derive(Debug)]
pub struct TestDatabase {
    /// The open pool.
    pub db: DatabaseConnection,
    /// Its URL (to open a second pool, or hand to a service under test).
    pub url: String,
    /// Which backend it is.
    pub backend: Backend,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Folder(#[allow(dead_code)] tempfile::TempDir),
    DropPostgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new SQLite database in its own temporary folder.
    ///
    /// # Panics
    /// When the file cannot be created: the test cannot run.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = super::sqlite_url_in(dir.path(), "test");
        let db = connect(&StorageConfig::new(url.clone()))
            .await
            .expect("open SQLite");
        Self {
            db,
            url,
            backend: Backend::Sqlite,
            cleanup: Cleanup::Folder(dir),
        }
    }

    /// A new PostgreSQL database, or `None` when `GENUINE_TEST_POSTGRES_URL` is not set.
    ///
    /// # Panics
    /// When the variable is set but the server cannot be reached or the database created.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var(POSTGRES_URL_VAR).ok()?;
        let created = Self::postgres_on(&admin_url).await.unwrap_or_else(|e| {
            panic!("{POSTGRES_URL_VAR} is set but PostgreSQL does not answer: {e}")
        });
        Some(created)
    }

    /// A new database with a random name on the server that `admin_url` reaches (also what
    /// `genuine bench` measures on); dropped with the value.
    ///
    /// # Errors
    /// When the server cannot be reached or the database not created.
    pub async fn postgres_on(admin_url: &str) -> Result<Self, DbErr> {
        let name = format!("genuine_test_{}", uuid::Uuid::new_v4().simple());
        let admin = connect(&StorageConfig::new(admin_url.to_owned())).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await.ok();
        let url = with_database(admin_url, &name);
        let cleanup = Cleanup::DropPostgres {
            admin_url: admin_url.to_owned(),
            name,
        };
        let db = connect(&StorageConfig::new(url.clone())).await?;
        Ok(Self {
            db,
            url,
            backend: Backend::Postgres,
            cleanup,
        })
    }

    /// Every backend the tests run on here: SQLite, and PostgreSQL when configured.
    pub async fn all() -> Vec<Self> {
        let mut all = vec![Self::sqlite().await];
        all.extend(Self::postgres().await);
        all
    }

    /// Like [`TestDatabase::all`], each with the migrations of `M` applied.
    ///
    /// # Panics
    /// When a migration fails.
    pub async fn all_migrated<M: MigratorTrait>() -> Vec<Self> {
        let mut all = Self::all().await;
        for test_db in &mut all {
            test_db.migrate::<M>().await.expect("migrations apply");
        }
        all
    }

    /// Applies the migrations of `M`.
    ///
    /// # Errors
    /// The failing migration's error.
    pub async fn migrate<M: MigratorTrait>(&self) -> Result<(), DbErr> {
        migrate::<M>(&self.db).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::DropPostgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of
            // its own with a small runtime. FORCE ends the pool's connections still open.
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
                eprintln!("could not drop test database");
            }
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
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }

    #[tokio::test]
    async fn every_backend_answers_and_writes() {
        for test_db in TestDatabase::all().await {
            assert!(super::super::ping(&test_db.db, std::time::Duration::from_secs(2)).await);
            test_db
                .db
                .execute_unprepared("CREATE TABLE t (id BIGINT PRIMARY KEY)")
                .await
                .expect("create");
            let txn = super::super::begin_write(&test_db.db).await.expect("begin");
            txn.execute_unprepared("INSERT INTO t (id) VALUES (1)")
                .await
                .expect("insert");
            txn.commit().await.expect("commit");
        }
    }
}
