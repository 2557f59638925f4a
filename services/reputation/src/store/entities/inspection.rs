//! A regulator's quality-inspection result.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspection_id: String,
    /// The RecordInspection idempotency key.
    #[sea_orm(unique)]
    pub request_id: String,
    pub seller_id: String,
    pub agency: String,
    pub product: String,
    pub batch: String,
    /// `pass` or `fail`.
    pub result: String,
    pub inspected_at: i64,
    pub report_ref: String,
    pub recorded_at: i64,
    pub recorded_by_subject: String,
    pub recorded_by_role: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
