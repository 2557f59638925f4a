//! A known-counterfeit image's PDQ hash, reported for a brand.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "counterfeit_images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand_id: String,
    /// 64 lower-case hex digits.
    #[sea_orm(primary_key, auto_increment = false)]
    pub pdq_hash: String,
    /// `rights_holder`, `regulator`, `hash_sharing`, `platform`.
    pub source: String,
    pub created_at: i64,
    pub created_by_subject: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
