//! A notifier's misuse standing (DSA Art. 23(2)).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notifiers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub notifier_id: String,
    pub warned_at: Option<i64>,
    pub suspended_until: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
