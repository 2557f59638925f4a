//! A listing. `status` is derived from its active measures and stored for filtering.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub listing_id: String,
    pub seller_id: String,
    pub request_id: String,
    /// SHA-256 of the create request's content, to tell a retry from a conflicting reuse.
    pub content_digest: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub price_currency: String,
    pub price_units: i64,
    pub price_nanos: i64,
    /// JSON array of 64-hex PDQ hashes with quality: `[{"hash": .., "quality": ..}]`.
    pub image_hashes: String,
    /// JSON of the latest screening.
    pub screening: String,
    /// Incremented at each screening; keys the notice filed for it.
    pub screening_version: i64,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
