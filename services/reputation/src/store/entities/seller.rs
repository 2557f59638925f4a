//! A registered trader with its traceability data.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sellers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seller_id: String,
    /// The RegisterSeller idempotency key.
    #[sea_orm(unique)]
    pub request_id: String,
    pub display_name: String,
    pub legal_name: String,
    pub email: String,
    pub phone: String,
    /// JSON array of strings.
    pub address_lines: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country_code: String,
    pub trade_register_name: String,
    pub trade_register_number: String,
    pub id_document_ref: String,
    pub payment_account_ref: String,
    pub self_certified: bool,
    pub verification_status: String,
    pub verification_note: String,
    /// Who recorded the last verification outcome (empty until verified or rejected).
    pub verified_by_subject: String,
    pub verified_by_role: String,
    pub registered_by_subject: String,
    pub registered_by_role: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the relationship ended (CloseSeller).
    pub closed_at: Option<i64>,
    /// When the traceability data was anonymised (closed_at + retention).
    pub anonymized_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
