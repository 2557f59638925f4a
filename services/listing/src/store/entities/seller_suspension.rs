//! A seller suspension as received from seller-reputation; applies to listings created while
//! it lasts too.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seller_suspensions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seller_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub suspension_id: String,
    pub reason: String,
    pub created_at: i64,
    pub lifted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
