//! One entry of the audit log with the signed head of the log up to it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub idx: i64,
    pub at: i64,
    pub actor_subject: String,
    pub actor_role: String,
    pub kind: String,
    pub subject_id: String,
    /// Hex SHA-256 of the payload.
    pub payload_digest: String,
    /// Hex.
    pub leaf_hash: String,
    /// Hex root of the log of size idx + 1.
    pub root: String,
    /// Hex Ed25519 signature of that head.
    pub signature: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
