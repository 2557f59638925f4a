//! An appeal against a case decision (DSA Art. 20).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "appeals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub appeal_id: String,
    pub case_id: String,
    pub request_id: String,
    pub appellant_party: String,
    pub appellant_subject: String,
    pub appellant_role: String,
    pub grounds: String,
    pub status: String,
    pub outcome: Option<String>,
    pub explanation: Option<String>,
    pub decided_by_subject: Option<String>,
    pub decided_by_role: Option<String>,
    pub filed_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
