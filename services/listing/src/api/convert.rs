//! Domain and store values into contract messages.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::common::v1 as common;
use genuine_contracts::genuine::listing::v1 as pb;

use crate::domain::measures::{ListingStatus, MeasureKind};
use crate::domain::money::Money;
use crate::screening::{Assessment, Decision, SignalCode};
use crate::store::{BrandView, ListingView, MeasureView, StoredScreening, TermView};

/// A protobuf timestamp.
#[must_use]
pub fn timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// Contract money.
#[must_use]
pub fn money(m: &Money) -> common::Money {
    common::Money {
        currency_code: m.currency_code.clone(),
        units: m.units,
        nanos: m.nanos,
    }
}

/// Contract status.
#[must_use]
pub fn status(s: ListingStatus) -> pb::ListingStatus {
    match s {
        ListingStatus::Active => pb::ListingStatus::Active,
        ListingStatus::Held => pb::ListingStatus::Held,
        ListingStatus::Blocked => pb::ListingStatus::Blocked,
        ListingStatus::TakenDown => pb::ListingStatus::TakenDown,
        ListingStatus::Suspended => pb::ListingStatus::Suspended,
        ListingStatus::Withdrawn => pb::ListingStatus::Withdrawn,
    }
}

/// Domain status from the contract's; `None` for UNSPECIFIED or unknown values.
#[must_use]
pub fn status_from(value: i32) -> Option<ListingStatus> {
    match pb::ListingStatus::try_from(value).ok()? {
        pb::ListingStatus::Unspecified => None,
        pb::ListingStatus::Active => Some(ListingStatus::Active),
        pb::ListingStatus::Held => Some(ListingStatus::Held),
        pb::ListingStatus::Blocked => Some(ListingStatus::Blocked),
        pb::ListingStatus::TakenDown => Some(ListingStatus::TakenDown),
        pb::ListingStatus::Suspended => Some(ListingStatus::Suspended),
        pb::ListingStatus::Withdrawn => Some(ListingStatus::Withdrawn),
    }
}

fn signal_code(code: SignalCode) -> pb::SignalCode {
    match code {
        SignalCode::BrandTermUnauthorizedSeller => pb::SignalCode::BrandTermUnauthorizedSeller,
        SignalCode::ReplicaVocabulary => pb::SignalCode::ReplicaVocabulary,
        SignalCode::PriceFarBelowReference => pb::SignalCode::PriceFarBelowReference,
        SignalCode::ImageMatchesKnownCounterfeit => pb::SignalCode::ImageMatchesKnownCounterfeit,
        SignalCode::SellerLowStanding => pb::SignalCode::SellerLowStanding,
        SignalCode::SellerUnverified => pb::SignalCode::SellerUnverified,
        SignalCode::SellerSuspended => pb::SignalCode::SellerSuspended,
        SignalCode::StandingUnavailable => pb::SignalCode::StandingUnavailable,
        SignalCode::ImageLowQuality => pb::SignalCode::ImageLowQuality,
    }
}

fn decision(d: Decision) -> pb::ScreeningDecision {
    match d {
        Decision::Publish => pb::ScreeningDecision::Publish,
        Decision::HoldForReview => pb::ScreeningDecision::HoldForReview,
        Decision::Block => pb::ScreeningDecision::Block,
    }
}

/// Contract screening result.
#[must_use]
pub fn screening(assessment: &Assessment, screened_at: DateTime<Utc>) -> pb::ScreeningResult {
    pb::ScreeningResult {
        risk_score: assessment.risk_score,
        decision: decision(assessment.decision) as i32,
        signals: assessment
            .signals
            .iter()
            .map(|s| pb::Signal {
                code: signal_code(s.code) as i32,
                weight: s.weight,
                detail: s.detail.clone(),
                brand_id: s.brand_id.clone().unwrap_or_default(),
            })
            .collect(),
        screened_time: Some(timestamp(screened_at)),
    }
}

fn stored_screening(s: &StoredScreening) -> pb::ScreeningResult {
    screening(
        &s.assessment,
        genuine_runtime::clock::from_millis(s.screened_at),
    )
}

fn measure_kind(kind: MeasureKind) -> pb::MeasureKind {
    match kind {
        MeasureKind::ScreeningHold => pb::MeasureKind::ScreeningHold,
        MeasureKind::ScreeningBlock => pb::MeasureKind::ScreeningBlock,
        MeasureKind::CaseTakedown => pb::MeasureKind::CaseTakedown,
        MeasureKind::SellerSuspension => pb::MeasureKind::SellerSuspension,
        MeasureKind::Withdrawal => pb::MeasureKind::Withdrawal,
    }
}

fn measure(m: &MeasureView) -> pb::Measure {
    pb::Measure {
        kind: measure_kind(m.kind) as i32,
        key: m.key.clone(),
        reason: m.reason.clone(),
        create_time: Some(timestamp(m.create_time)),
    }
}

/// Contract listing.
#[must_use]
pub fn listing(l: &ListingView) -> pb::Listing {
    pb::Listing {
        listing_id: l.listing_id.clone(),
        seller_id: l.seller_id.clone(),
        title: l.title.clone(),
        description: l.description.clone(),
        category: l.category.clone(),
        price: Some(money(&l.price)),
        status: status(l.status) as i32,
        screening: Some(stored_screening(&l.screening)),
        image_pdq_hashes: l.images.iter().map(|i| i.hash.to_hex()).collect(),
        create_time: Some(timestamp(l.create_time)),
        update_time: Some(timestamp(l.update_time)),
        measures: l.measures.iter().map(measure).collect(),
    }
}

/// Contract brand.
#[must_use]
pub fn brand(b: &BrandView) -> pb::Brand {
    pb::Brand {
        brand_id: b.brand_id.clone(),
        display_name: b.display_name.clone(),
        aliases: b.aliases.clone(),
        owner_id: b.owner_id.clone(),
        reference_prices: b
            .reference_prices
            .iter()
            .map(|(category, price)| pb::ReferencePrice {
                category: category.clone(),
                price: Some(money(price)),
            })
            .collect(),
        authorized_seller_ids: b.authorized_seller_ids.clone(),
        create_time: Some(timestamp(b.create_time)),
        update_time: Some(timestamp(b.update_time)),
    }
}

/// Contract prohibited term.
#[must_use]
pub fn term(t: &TermView) -> pb::ProhibitedTerm {
    pb::ProhibitedTerm {
        term: t.term.clone(),
        language: t.language.clone(),
        create_time: Some(timestamp(t.create_time)),
    }
}
