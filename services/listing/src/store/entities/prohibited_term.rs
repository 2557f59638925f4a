//! A prohibited ("replica") term, unique by its normalised form.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prohibited_terms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub normalized: String,
    pub term: String,
    pub language: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
