//! The entry points the `genuine` binary calls: `migrate` (idempotent) and `serve` refusing to
//! start without a way to verify tokens.

use genuine_runtime::clock::system;
use genuine_runtime::config::Source;
use genuine_runtime::storage::testing::TestDatabase;
use sea_orm::{ConnectionTrait, Statement};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn migrate_creates_the_tables_and_can_run_again() {
    for db in TestDatabase::all().await {
        let source = Source::from_map([("GENUINE_REPUTATION_DATABASE_URL", db.url.clone())]);
        genuine_reputation::migrate(&source)
            .await
            .expect("first run");
        genuine_reputation::migrate(&source)
            .await
            .expect("second run changes nothing");
        for table in [
            "sellers",
            "violations",
            "inspections",
            "suspensions",
            "outbox",
        ] {
            let count = db
                .db
                .query_one_raw(Statement::from_string(
                    db.db.get_database_backend(),
                    format!("SELECT COUNT(*) AS n FROM {table}"),
                ))
                .await
                .unwrap_or_else(|e| panic!("{table} exists: {e}"));
            assert!(count.is_some(), "{table}");
        }
    }
}

#[tokio::test]
async fn serve_refuses_to_start_open() {
    let db = TestDatabase::sqlite().await;
    let source = Source::from_map([("GENUINE_REPUTATION_DATABASE_URL", db.url.clone())]);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let err = genuine_reputation::serve(&source, listener, system(), CancellationToken::new())
        .await
        .expect_err("no auth secret");
    assert!(
        format!("{err:#}").contains("GENUINE_AUTH_SECRET"),
        "{err:#}"
    );

    let bad = Source::from_map([
        ("GENUINE_AUTH_SECRET", "secret"),
        ("GENUINE_REPUTATION_SUSPENSION_STRIKES", "1"),
    ]);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let err = genuine_reputation::serve(&bad, listener, system(), CancellationToken::new())
        .await
        .expect_err("inconsistent rules");
    assert!(
        format!("{err:#}").contains("GENUINE_REPUTATION_SUSPENSION_STRIKES"),
        "{err:#}"
    );
}
