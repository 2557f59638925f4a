//! A violation recorded against a seller (upheld or retracted).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "violations")]
pub struct Model {
    /// The RecordViolation idempotency key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub violation_key: String,
    pub seller_id: String,
    pub case_id: String,
    pub listing_id: String,
    pub ground: String,
    pub severity: String,
    /// `upheld` or `retracted`.
    pub state: String,
    pub decided_at: i64,
    pub recorded_at: i64,
    pub retracted_at: Option<i64>,
    pub retract_reason: String,
    pub recorded_by_subject: String,
    pub recorded_by_role: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
