//! A protected brand.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brands")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand_id: String,
    pub request_id: String,
    /// SHA-256 of the registration's content, to tell a retry from a conflicting reuse.
    pub content_digest: String,
    pub display_name: String,
    /// JSON array of strings.
    pub aliases: String,
    pub owner_id: String,
    /// JSON array of `{category, currency_code, units, nanos}`.
    pub reference_prices: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by_subject: String,
    pub created_by_role: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
