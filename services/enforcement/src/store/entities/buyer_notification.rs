//! Information for buyers of an illegal product (DSA Art. 32).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "buyer_notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub buyer_notification_id: String,
    #[sea_orm(unique)]
    pub case_id: String,
    pub listing_id: String,
    pub seller_id: String,
    /// JSON object: the trader identity.
    pub trader: String,
    pub ground: String,
    pub illegality: String,
    pub means_of_redress: String,
    pub purchases_since: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
