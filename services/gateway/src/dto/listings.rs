//! Listings with their screening result, status and measures.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::listing::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use super::common::{Money, time};
use super::enums::{ListingStatus, MeasureKind, ScreeningDecision, SignalCode};

/// A listing.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    pub listing_id: String,
    pub seller_id: String,
    pub title: String,
    pub description: String,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    pub status: ListingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<Screening>,
    pub image_pdq_hashes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
    /// What keeps the listing from being ACTIVE.
    pub measures: Vec<Measure>,
}

/// The latest screening.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Screening {
    /// 0 (no risk) to 100.
    pub risk_score: u32,
    pub decision: ScreeningDecision,
    /// Strongest first.
    pub signals: Vec<Signal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screened_time: Option<DateTime<Utc>>,
}

/// One reason contributing to a risk score.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    pub code: SignalCode,
    pub weight: u32,
    pub detail: String,
    pub brand_id: String,
}

/// One active measure.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    pub kind: MeasureKind,
    /// The case or suspension id; empty for screening.
    pub key: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
}

impl Listing {
    #[must_use]
    pub fn from_proto(l: &pb::Listing) -> Self {
        Self {
            listing_id: l.listing_id.clone(),
            seller_id: l.seller_id.clone(),
            title: l.title.clone(),
            description: l.description.clone(),
            category: l.category.clone(),
            price: Money::from_proto(l.price.as_ref()),
            status: ListingStatus(l.status),
            screening: l.screening.as_ref().map(|s| Screening {
                risk_score: s.risk_score,
                decision: ScreeningDecision(s.decision),
                signals: s
                    .signals
                    .iter()
                    .map(|g| Signal {
                        code: SignalCode(g.code),
                        weight: g.weight,
                        detail: g.detail.clone(),
                        brand_id: g.brand_id.clone(),
                    })
                    .collect(),
                screened_time: time(s.screened_time.as_ref()),
            }),
            image_pdq_hashes: l.image_pdq_hashes.clone(),
            create_time: time(l.create_time.as_ref()),
            update_time: time(l.update_time.as_ref()),
            measures: l
                .measures
                .iter()
                .map(|m| Measure {
                    kind: MeasureKind(m.kind),
                    key: m.key.clone(),
                    reason: m.reason.clone(),
                    create_time: time(m.create_time.as_ref()),
                })
                .collect(),
        }
    }
}
