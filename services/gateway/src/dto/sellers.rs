//! Traders: traceability data (DSA Art. 30), standing, violations and inspections.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::reputation::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Actor, time};
use super::enums::{
    InspectionResult, SellerTier, VerificationStatus, ViolationGround, ViolationSeverity,
    ViolationState,
};

/// A trader with its traceability data and standing.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seller {
    pub seller_id: String,
    pub display_name: String,
    pub verification_status: VerificationStatus,
    pub traceability: Traceability,
    pub verification_note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_by: Option<Actor>,
}

/// Traceability data of a trader.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Traceability {
    pub legal_name: String,
    pub email: String,
    pub phone: String,
    pub address: Address,
    pub trade_register_name: String,
    pub trade_register_number: String,
    pub id_document_ref: String,
    pub payment_account_ref: String,
    pub self_certified: bool,
}

/// A postal address.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub lines: Vec<String>,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2: decides which regulator may read the trader.
    pub country_code: String,
}

/// A seller's standing.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Standing {
    pub seller_id: String,
    /// 0 (worst) to 100 (best).
    pub score: i32,
    pub tier: SellerTier,
    pub active_strikes: i32,
    pub warned: bool,
    pub suspended: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspension_end_time: Option<DateTime<Utc>>,
    pub suspension_id: String,
    pub verification_status: VerificationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
}

/// A violation on a seller's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    pub violation_key: String,
    pub seller_id: String,
    pub case_id: String,
    pub listing_id: String,
    pub ground: ViolationGround,
    pub severity: ViolationSeverity,
    pub state: ViolationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retract_time: Option<DateTime<Utc>>,
    pub retract_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Actor>,
}

/// A page of violations, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViolationList {
    pub violations: Vec<Violation>,
    pub next_page_token: String,
}

/// A quality-inspection result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub inspection_id: String,
    pub seller_id: String,
    pub agency: String,
    pub product: String,
    pub batch: String,
    pub result: InspectionResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspected_time: Option<DateTime<Utc>>,
    pub report_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Actor>,
}

/// A page of inspections, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectionList {
    pub inspections: Vec<Inspection>,
    pub next_page_token: String,
}

/// A regulator's inspection result; the agency is the token's.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordInspection {
    /// Idempotency key; generated when absent.
    #[serde(default)]
    pub request_id: Option<String>,
    pub product: String,
    #[serde(default)]
    pub batch: String,
    pub result: InspectionResult,
    /// When the product was inspected (RFC 3339, not in the future).
    pub inspected_time: DateTime<Utc>,
    #[serde(default)]
    pub report_ref: String,
}

/// The recorded inspection and the seller's standing after it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectionRecorded {
    pub inspection: Inspection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
}

impl Seller {
    /// The seller in JSON; `None` without traceability data (the caller may not read it).
    #[must_use]
    pub fn from_proto(s: &pb::Seller) -> Option<Self> {
        let t = s.traceability.as_ref()?;
        let a = t.address.clone().unwrap_or_default();
        Some(Self {
            seller_id: s.seller_id.clone(),
            display_name: s.display_name.clone(),
            verification_status: VerificationStatus(s.verification_status),
            traceability: Traceability {
                legal_name: t.legal_name.clone(),
                email: t.email.clone(),
                phone: t.phone.clone(),
                address: Address {
                    lines: a.lines,
                    city: a.city,
                    region: a.region,
                    postal_code: a.postal_code,
                    country_code: a.country_code,
                },
                trade_register_name: t.trade_register_name.clone(),
                trade_register_number: t.trade_register_number.clone(),
                id_document_ref: t.id_document_ref.clone(),
                payment_account_ref: t.payment_account_ref.clone(),
                self_certified: t.self_certified,
            },
            verification_note: s.verification_note.clone(),
            standing: s.standing.as_ref().map(Standing::from_proto),
            create_time: time(s.create_time.as_ref()),
            update_time: time(s.update_time.as_ref()),
            registered_by: Actor::from_proto(s.registered_by.as_ref()),
        })
    }
}

impl Standing {
    #[must_use]
    pub fn from_proto(s: &pb::SellerStanding) -> Self {
        Self {
            seller_id: s.seller_id.clone(),
            score: s.score,
            tier: SellerTier(s.tier),
            active_strikes: s.active_strikes,
            warned: s.warned,
            suspended: s.suspended,
            suspension_end_time: time(s.suspension_end_time.as_ref()),
            suspension_id: s.suspension_id.clone(),
            verification_status: VerificationStatus(s.verification_status),
            update_time: time(s.update_time.as_ref()),
        }
    }
}

impl Violation {
    #[must_use]
    pub fn from_proto(v: &pb::Violation) -> Self {
        Self {
            violation_key: v.violation_key.clone(),
            seller_id: v.seller_id.clone(),
            case_id: v.case_id.clone(),
            listing_id: v.listing_id.clone(),
            ground: ViolationGround(v.ground),
            severity: ViolationSeverity(v.severity),
            state: ViolationState(v.state),
            decided_time: time(v.decided_time.as_ref()),
            record_time: time(v.record_time.as_ref()),
            retract_time: time(v.retract_time.as_ref()),
            retract_reason: v.retract_reason.clone(),
            recorded_by: Actor::from_proto(v.recorded_by.as_ref()),
        }
    }
}

impl Inspection {
    #[must_use]
    pub fn from_proto(i: &pb::Inspection) -> Self {
        Self {
            inspection_id: i.inspection_id.clone(),
            seller_id: i.seller_id.clone(),
            agency: i.agency.clone(),
            product: i.product.clone(),
            batch: i.batch.clone(),
            result: InspectionResult(i.result),
            inspected_time: time(i.inspected_time.as_ref()),
            report_ref: i.report_ref.clone(),
            record_time: time(i.record_time.as_ref()),
            recorded_by: Actor::from_proto(i.recorded_by.as_ref()),
        }
    }
}
