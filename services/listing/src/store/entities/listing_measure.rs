//! A measure on a listing, keyed by (listing, kind, key): the case id for a take-down, the
//! suspension id for a suspension, empty for screening. Lifted measures stay, so repeating a
//! take-down, restore, suspension or reinstatement is recognised and changes nothing.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listing_measures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub listing_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub measure_key: String,
    pub reason: String,
    pub imposed_at: i64,
    pub lifted_at: Option<i64>,
    pub imposed_by_subject: String,
    /// The last enforcement action applied to this measure (e.g. `<case>/take_down/<n>`).
    pub action_id: Option<String>,
    /// The generation `n` parsed from `action_id`, when it ends in a number.
    pub action_generation: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
