//! What the store hands back: rows decoded into typed views (JSON columns parsed, times as
//! UTC), independent of the contract.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use genuine_runtime::clock::from_millis;
use genuine_runtime::errors::ServiceError;
use serde::{Deserialize, Serialize};

use super::entities::{brand, listing, listing_measure, prohibited_term};
use crate::domain::measures::{ListingStatus, MeasureKind};
use crate::domain::money::Money;
use crate::screening::{Assessment, BrandProfile, ImageHash, PdqHash};

/// A reference price as stored in the brand's JSON column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredPrice {
    pub category: String,
    pub currency_code: String,
    pub units: i64,
    pub nanos: i32,
}

/// An image hash as stored in the listing's JSON column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredImage {
    pub hash: String,
    pub quality: u8,
}

/// The latest screening of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredScreening {
    /// Score, decision, signals.
    pub assessment: Assessment,
    /// When it ran (ms since the epoch).
    pub screened_at: i64,
}

/// A brand with its authorised sellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandView {
    pub brand_id: String,
    pub display_name: String,
    pub aliases: Vec<String>,
    pub owner_id: String,
    pub reference_prices: Vec<(String, Money)>,
    pub authorized_seller_ids: Vec<String>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

impl BrandView {
    pub(crate) fn from_row(row: brand::Model, sellers: Vec<String>) -> Result<Self, ServiceError> {
        let aliases: Vec<String> =
            serde_json::from_str(&row.aliases).map_err(ServiceError::internal)?;
        let prices: Vec<StoredPrice> =
            serde_json::from_str(&row.reference_prices).map_err(ServiceError::internal)?;
        Ok(Self {
            brand_id: row.brand_id,
            display_name: row.display_name,
            aliases,
            owner_id: row.owner_id,
            reference_prices: prices
                .into_iter()
                .map(|p| {
                    (
                        p.category,
                        Money {
                            currency_code: p.currency_code,
                            units: p.units,
                            nanos: p.nanos,
                        },
                    )
                })
                .collect(),
            authorized_seller_ids: sellers,
            create_time: from_millis(row.created_at),
            update_time: from_millis(row.updated_at),
        })
    }

    /// The brand as screening sees it.
    #[must_use]
    pub fn profile(&self) -> BrandProfile {
        BrandProfile {
            brand_id: self.brand_id.clone(),
            display_name: self.display_name.clone(),
            aliases: self.aliases.clone(),
            authorized_sellers: self
                .authorized_seller_ids
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>(),
            reference_prices: self.reference_prices.clone(),
        }
    }
}

/// A prohibited term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermView {
    pub term: String,
    pub language: String,
    pub create_time: DateTime<Utc>,
}

impl From<prohibited_term::Model> for TermView {
    fn from(row: prohibited_term::Model) -> Self {
        Self {
            term: row.term,
            language: row.language,
            create_time: from_millis(row.created_at),
        }
    }
}

/// An active measure on a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureView {
    pub kind: MeasureKind,
    /// Case id, suspension id, or empty.
    pub key: String,
    pub reason: String,
    pub create_time: DateTime<Utc>,
}

impl MeasureView {
    pub(crate) fn from_row(row: &listing_measure::Model) -> Option<Self> {
        Some(Self {
            kind: MeasureKind::parse(&row.kind)?,
            key: row.measure_key.clone(),
            reason: row.reason.clone(),
            create_time: from_millis(row.imposed_at),
        })
    }
}

/// A listing with its active measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingView {
    pub listing_id: String,
    pub seller_id: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub price: Money,
    pub images: Vec<ImageHash>,
    pub status: ListingStatus,
    pub screening: StoredScreening,
    pub measures: Vec<MeasureView>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    /// Screening count; an update names the version it read, so concurrent edits do not
    /// overwrite each other unseen.
    pub version: i64,
}

impl ListingView {
    pub(crate) fn from_row(
        row: listing::Model,
        measures: Vec<MeasureView>,
    ) -> Result<Self, ServiceError> {
        let images: Vec<StoredImage> =
            serde_json::from_str(&row.image_hashes).map_err(ServiceError::internal)?;
        let images = images
            .into_iter()
            .map(|i| {
                Ok(ImageHash {
                    hash: PdqHash::from_hex(&i.hash).map_err(ServiceError::internal)?,
                    quality: i.quality,
                })
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        let screening: StoredScreening =
            serde_json::from_str(&row.screening).map_err(ServiceError::internal)?;
        let status = ListingStatus::parse(&row.status).ok_or_else(|| {
            ServiceError::internal(format!("unknown stored status {:?}", row.status))
        })?;
        Ok(Self {
            listing_id: row.listing_id,
            seller_id: row.seller_id,
            title: row.title,
            description: row.description,
            category: row.category,
            price: Money {
                currency_code: row.price_currency,
                units: row.price_units,
                nanos: i32::try_from(row.price_nanos).map_err(ServiceError::internal)?,
            },
            images,
            status,
            screening,
            measures,
            create_time: from_millis(row.created_at),
            update_time: from_millis(row.updated_at),
            version: row.screening_version,
        })
    }
}
