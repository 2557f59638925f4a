//! Notices: what a regulator files (`POST /v1/notices`) and reads back.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Actor, time};
use super::enums::{NoticeGround, NoticeSource, NoticeStatus};

/// A notice (DSA Art. 16 / ECL Art. 42).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub notice_id: String,
    pub request_id: String,
    pub source: NoticeSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifier: Option<Notifier>,
    pub ground: NoticeGround,
    pub listing_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<String>,
    pub explanation: String,
    pub evidence_urls: Vec<String>,
    pub good_faith_declaration: bool,
    pub jurisdiction: String,
    /// One case per listing, in the order of `listingIds`.
    pub case_ids: Vec<String>,
    pub status: NoticeStatus,
    /// The receipt: when the notice was received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<Actor>,
}

/// Who filed a notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notifier {
    pub notifier_id: String,
    pub name: String,
    pub email: String,
    pub organization: String,
}

/// A regulator's notice. Source (`NOTICE_SOURCE_REGULATOR`), notifier (the token's subject and
/// agency) and jurisdiction (the token's) are set by the gateway.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitNotice {
    /// Idempotency key: a retry with the same key returns the same notice. Generated when absent.
    #[serde(default)]
    pub request_id: Option<String>,
    pub ground: NoticeGround,
    /// The listings concerned (at least one).
    pub listing_ids: Vec<String>,
    #[serde(default)]
    pub brand_id: Option<String>,
    /// Substantiated explanation of why the listings are illegal.
    pub explanation: String,
    #[serde(default)]
    pub evidence_urls: Vec<String>,
    /// Statement that the notice is accurate and made in good faith.
    pub good_faith_declaration: bool,
    /// Contact e-mail of the agency's case officer.
    #[serde(default)]
    pub contact_email: Option<String>,
}

impl Notice {
    #[must_use]
    pub fn from_proto(n: &pb::Notice) -> Self {
        Self {
            notice_id: n.notice_id.clone(),
            request_id: n.request_id.clone(),
            source: NoticeSource(n.source),
            notifier: n.notifier.as_ref().map(|p| Notifier {
                notifier_id: p.notifier_id.clone(),
                name: p.name.clone(),
                email: p.email.clone(),
                organization: p.organization.clone(),
            }),
            ground: NoticeGround(n.ground),
            listing_ids: n.listing_ids.clone(),
            brand_id: n.brand_id.clone(),
            explanation: n.explanation.clone(),
            evidence_urls: n.evidence_urls.clone(),
            good_faith_declaration: n.good_faith_declaration,
            jurisdiction: n.jurisdiction.clone(),
            case_ids: n.case_ids.clone(),
            status: NoticeStatus(n.status),
            receipt_time: time(n.receipt_time.as_ref()),
            submitted_by: Actor::from_proto(n.submitted_by.as_ref()),
        }
    }
}
