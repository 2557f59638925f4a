//! A suspension of a seller: its id is the key of the listing effects and of its end deadline.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suspensions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub suspension_id: String,
    pub seller_id: String,
    /// `strikes` or `manual`.
    pub origin: String,
    pub reason: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// Set when reinstated early or when its end was processed.
    pub ended_at: Option<i64>,
    pub end_reason: String,
    pub created_by_subject: String,
    pub created_by_role: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
