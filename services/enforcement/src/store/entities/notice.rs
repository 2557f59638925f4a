//! A notice as received (DSA Art. 16).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub notice_id: String,
    pub request_id: String,
    pub submitted_by_subject: String,
    pub submitted_by_role: String,
    /// SHA-256 of the request, to tell a retry from a reused request id.
    pub request_digest: String,
    pub source: String,
    pub ground: String,
    pub notifier_id: String,
    pub notifier_name: String,
    pub notifier_email: String,
    pub notifier_organization: String,
    /// JSON array.
    pub listing_ids: String,
    pub brand_id: Option<String>,
    pub explanation: String,
    /// JSON array.
    pub evidence_urls: String,
    pub good_faith_declaration: bool,
    pub jurisdiction: String,
    /// JSON object, automated-detection notices only.
    pub automated_detection: Option<String>,
    /// JSON array, one per listing.
    pub case_ids: String,
    pub status: String,
    pub received_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
