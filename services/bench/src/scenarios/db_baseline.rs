//! `db-baseline`: the rows one CreateListing writes — the idempotency look-up on (seller,
//! request id), the listing, its screening hold and its outbox notice — by plain SQL in one
//! write transaction, each worker on a connection of its own, against a listing database made by
//! the real migrations. What this sustains is the database's own limit for the work, the bar
//! create-listing is held to.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use genuine_runtime::outbox::{NewMessage, enqueue};
use genuine_runtime::storage::begin_write;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

use super::Prepared;
use crate::args::BenchArgs;
use crate::database::BenchDatabase;
use crate::load::Op;
use crate::seed;

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let database = BenchDatabase::create(args.postgres_url.as_deref()).await?;
    let admin = database.connect(1).await?;
    genuine_runtime::storage::migrate::<genuine_listing::store::Migrator>(&admin).await?;
    admin.close().await.ok();
    let mut connections = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        connections.push(database.connect(1).await?);
    }
    let connections = Arc::new(connections);
    let next = Arc::new(AtomicU64::new(0));
    let (seed, brands, sellers) = (args.seed, args.brands, args.sellers);
    let op: Op = Arc::new(move |worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let connections = Arc::clone(&connections);
        Box::pin(async move {
            let db = &connections[worker % connections.len()];
            write_listing(db, seed, n, brands, sellers)
                .await
                .map_err(|e| format!("db: {e}"))
        })
    });
    Ok(Prepared {
        op,
        backend: database.backend.name(),
        data: "listing schema, empty".to_owned(),
        keep: Box::new(database),
    })
}

/// One CreateListing's rows, as the service writes them, with none of its other work.
async fn write_listing(
    db: &DatabaseConnection,
    seed: u64,
    n: u64,
    brands: usize,
    sellers: usize,
) -> Result<(), sea_orm::DbErr> {
    let draft = seed::draft(seed, n, brands, sellers);
    let backend = db.get_database_backend();
    let listing_id = format!("lst-{}", uuid::Uuid::now_v7().simple());
    let now = chrono_millis();
    let txn = begin_write(db).await?;
    let existing = txn
        .query_one_raw(statement(
            backend,
            "SELECT listing_id FROM listings WHERE seller_id = ? AND request_id = ?",
            vec![
                draft.seller_id.clone().into(),
                draft.request_id.clone().into(),
            ],
        ))
        .await?;
    if existing.is_some() {
        return txn.rollback().await;
    }
    txn.execute_raw(statement(
        backend,
        "INSERT INTO listings (listing_id, seller_id, request_id, content_digest, title, \
         description, category, price_currency, price_units, price_nanos, image_hashes, \
         screening, screening_version, status, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', 120, 0, ?, ?, 1, 'held', ?, ?)",
        vec![
            listing_id.clone().into(),
            draft.seller_id.clone().into(),
            draft.request_id.into(),
            DIGEST.into(),
            draft.title.into(),
            draft.description.into(),
            draft.category.into(),
            IMAGES.into(),
            SCREENING.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await?;
    txn.execute_raw(statement(
        backend,
        "INSERT INTO listing_measures (listing_id, kind, measure_key, reason, imposed_at, \
         lifted_at, imposed_by_subject) VALUES (?, 'screening_hold', '', 'screening risk score 90', ?, NULL, 'bench')",
        vec![listing_id.clone().into(), now.into()],
    ))
    .await?;
    let notice = NewMessage::deadline(
        "listing.submit_notice",
        format!("screening/{listing_id}/1"),
        vec![b'n'; NOTICE_BYTES],
        chrono::Utc::now(),
    );
    enqueue(&txn, notice).await?;
    txn.commit().await
}

/// Sizes like the service's: a SHA-256 digest, one stored image, a stored screening with three
/// signals, and an encoded SubmitNoticeRequest.
const DIGEST: &str = "5f0c4a1d9e2b7c3a8f6e1d0b9a7c5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d";
const IMAGES: &str = r#"[{"hash":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0","quality":100}]"#;
const SCREENING: &str = r#"{"assessment":{"risk_score":100,"decision":"Block","signals":[{"code":"BrandUnauthorized","weight":30,"detail":"brand name matched for an unauthorised seller","brand_id":"brd-0000001"},{"code":"ReplicaVocabulary","weight":40,"detail":"replica vocabulary: replica","brand_id":null},{"code":"PriceFarBelowReference","weight":30,"detail":"price 120 EUR is below 30% of the reference 1500 EUR","brand_id":"brd-0000001"}]},"screened_at":0}"#;
const NOTICE_BYTES: usize = 700;

fn chrono_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A statement with `?` placeholders, numbered `$1…` for PostgreSQL.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let pg = statement(
            DbBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(pg.sql, "a = $1 AND b = $2");
        let lite = statement(DbBackend::Sqlite, "a = ?", vec![1.into()]);
        assert_eq!(lite.sql, "a = ?");
    }
}
