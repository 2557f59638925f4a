//! A case: one listing, one or more notices, and what was decided.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    pub listing_id: String,
    pub seller_id: String,
    pub status: String,
    /// Rank: 1 first.
    pub priority: i32,
    pub ground: String,
    pub source: String,
    pub jurisdiction: String,
    /// A takedown for this case is in force.
    pub listing_down: bool,
    /// A violation for this case is on the seller's record.
    pub violation_recorded: bool,
    /// Takedowns sent so far (keys of the outbox messages).
    pub takedowns: i32,
    /// Restorations sent so far.
    pub restores: i32,
    pub decision_outcome: Option<String>,
    pub decision_explanation: Option<String>,
    pub decision_severity: Option<String>,
    pub decided_by_subject: Option<String>,
    pub decided_by_role: Option<String>,
    pub decision_automated: bool,
    pub decided_at: Option<i64>,
    pub counter_declaration: Option<String>,
    /// JSON array.
    pub counter_evidence_urls: Option<String>,
    pub counter_by_subject: Option<String>,
    pub counter_by_role: Option<String>,
    pub counter_at: Option<i64>,
    pub counter_forwarded_at: Option<i64>,
    pub window_end_at: Option<i64>,
    pub legal_authority: Option<String>,
    pub legal_reference: Option<String>,
    pub legal_by_subject: Option<String>,
    pub legal_by_role: Option<String>,
    pub legal_at: Option<i64>,
    pub first_notice_at: i64,
    /// When the first measure was taken (for notice-to-action times).
    pub first_action_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
