//! Locks on application keys (a seller, say) for the length of a transaction.
//!
//! A row lock needs a row. "Is this seller suspended?" read by one transaction while another
//! inserts the suspension is a race on rows that do not exist yet: under READ COMMITTED both
//! commit, and the listing created in between never gets the suspension. Transactions that
//! decide on a key's absence lock the key itself: PostgreSQL advisory transaction locks
//! (`pg_advisory_xact_lock[_shared](namespace, hash)`), released at COMMIT or ROLLBACK. On
//! SQLite nothing is taken: its write transactions ([`super::begin_write`]) already exclude
//! each other.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr};

/// Whether the holders of a key's lock may share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLock {
    /// Many at once (e.g. creating listings of a seller), none beside an exclusive holder.
    Shared,
    /// Alone (e.g. suspending the seller).
    Exclusive,
}

/// Locks `keys` of `namespace` (a constant per kind of key and service, so that kinds never
/// collide) until `txn` ends, waiting for conflicting holders. Keys are hashed to 32 bits: two
/// keys sharing a hash only wait for each other. Locks are taken in hash order, so
/// transactions locking overlapping sets cannot deadlock on them.
///
/// # Errors
/// Database errors.
pub async fn lock_keys<'a>(
    txn: &DatabaseTransaction,
    namespace: i32,
    keys: impl IntoIterator<Item = &'a str>,
    mode: KeyLock,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut hashes: Vec<i32> = keys.into_iter().map(key_hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    if hashes.is_empty() {
        return Ok(());
    }
    let function = match mode {
        KeyLock::Shared => "pg_advisory_xact_lock_shared",
        KeyLock::Exclusive => "pg_advisory_xact_lock",
    };
    // Integers only (the namespace and the hashes): nothing here comes from text.
    let calls: Vec<String> = hashes
        .iter()
        .map(|hash| format!("{function}({namespace}, {hash})"))
        .collect();
    txn.execute_unprepared(&format!("SELECT {}", calls.join(", ")))
        .await?;
    Ok(())
}

/// FNV-1a, 32 bits: stable across builds and processes (replicas must agree on it).
fn key_hash(key: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::TransactionTrait;

    use super::*;
    use crate::storage::testing::TestDatabase;

    #[test]
    fn the_hash_is_stable() {
        // Fixed values: replicas of different builds must lock the same key alike.
        assert_eq!(
            key_hash(""),
            i32::from_ne_bytes(0x811c_9dc5_u32.to_ne_bytes())
        );
        assert_eq!(
            key_hash("a"),
            i32::from_ne_bytes(0xe40c_292c_u32.to_ne_bytes())
        );
        assert_ne!(key_hash("seller-1"), key_hash("seller-2"));
    }

    #[tokio::test]
    async fn exclusive_waits_for_shared_and_shared_holders_share() {
        let Some(test_db) = TestDatabase::postgres().await else {
            return;
        };
        let db = &test_db.db;
        let first = db.begin().await.expect("begin");
        lock_keys(&first, 7, ["seller-1", "seller-2"], KeyLock::Shared)
            .await
            .expect("shared");
        let second = db.begin().await.expect("begin");
        lock_keys(&second, 7, ["seller-2"], KeyLock::Shared)
            .await
            .expect("shared locks are shared");
        // Another namespace is another key.
        lock_keys(&second, 8, ["seller-1"], KeyLock::Exclusive)
            .await
            .expect("other namespace");
        let exclusive = {
            let db = db.clone();
            tokio::spawn(async move {
                let third = db.begin().await.expect("begin");
                lock_keys(&third, 7, ["seller-1"], KeyLock::Exclusive)
                    .await
                    .expect("exclusive");
                third.commit().await.expect("commit");
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !exclusive.is_finished(),
            "exclusive must wait for the shared holder"
        );
        first.commit().await.expect("commit");
        tokio::time::timeout(Duration::from_secs(10), exclusive)
            .await
            .expect("granted once the shared holder ends")
            .expect("task");
        second.rollback().await.expect("rollback");
    }

    #[tokio::test]
    async fn sqlite_takes_nothing() {
        for test_db in TestDatabase::all().await {
            let txn = test_db.db.begin().await.expect("begin");
            lock_keys(&txn, 7, ["seller-1"], KeyLock::Exclusive)
                .await
                .expect("no error on either backend");
            txn.commit().await.expect("commit");
        }
    }
}
