//! The audit log's perfect subtrees (added after the first schema): created, then filled from the
//! entries already logged.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

use crate::domain::merkle::{Frontier, Hash};

/// Creates `audit_nodes` and back-fills it.
#[derive(Debug, Clone, Copy)]
pub struct AuditNodes;

impl MigrationName for AuditNodes {
    fn name(&self) -> &str {
        "m0002_enforcement_audit_nodes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditNodes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE audit_nodes (level INTEGER NOT NULL, pos BIGINT NOT NULL, hash TEXT NOT NULL, \
             PRIMARY KEY (level, pos))",
        )
        .await?;
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT leaf_hash FROM audit_log ORDER BY idx",
            ))
            .await?;
        let mut frontier = Frontier::new();
        let mut values = Vec::new();
        for row in rows {
            let text: String = row.try_get("", "leaf_hash")?;
            let leaf: Hash = hex::decode(&text)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| DbErr::Custom("audit_log holds a malformed leaf hash".to_owned()))?;
            for (level, pos, hash) in frontier.push_with_nodes(leaf) {
                values.push(format!("({level}, {pos}, '{}')", hex::encode(hash)));
            }
        }
        for chunk in values.chunks(1000) {
            db.execute_unprepared(&format!(
                "INSERT INTO audit_nodes (level, pos, hash) VALUES {}",
                chunk.join(",")
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS audit_nodes")
            .await?;
        Ok(())
    }
}
