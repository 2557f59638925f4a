//! Proto ⇄ domain: enums, timestamps and the response messages.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::common::v1::Actor as ActorProto;
use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::clock::from_millis;
use genuine_runtime::errors::Violations;
use prost_types::Timestamp;

use super::access::Visibility;
use crate::domain::{
    Address, Code, Ground, InspectionResult, Registration, Severity, Standing, Tier,
    VerificationStatus,
};
use crate::store::entities::{inspection, violation};
use crate::store::{SellerView, records_state};

/// A timestamp for a time.
#[must_use]
pub fn timestamp(time: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A timestamp for stored milliseconds.
#[must_use]
pub fn millis_timestamp(millis: i64) -> Timestamp {
    timestamp(from_millis(millis))
}

/// First and last second a `google.protobuf.Timestamp` may hold: 0001-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z. Chrono reaches much further, so the range is checked here.
const TIMESTAMP_SECONDS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;

/// The time of a request timestamp; a violation on `field` when it is outside the range a
/// protobuf timestamp allows (years 1 to 9999, nanos below one second).
pub fn time_of(ts: &Timestamp, field: &str, v: &mut Violations) -> Option<DateTime<Utc>> {
    let time = u32::try_from(ts.nanos)
        .ok()
        .filter(|nanos| *nanos < 1_000_000_000 && TIMESTAMP_SECONDS.contains(&ts.seconds))
        .and_then(|nanos| DateTime::from_timestamp(ts.seconds, nanos));
    if time.is_none() {
        v.add(field, "is not a valid timestamp (years 1 to 9999)");
    }
    time
}

#[must_use]
pub fn tier(tier: Tier) -> pb::SellerTier {
    match tier {
        Tier::Trusted => pb::SellerTier::Trusted,
        Tier::Good => pb::SellerTier::Good,
        Tier::Watch => pb::SellerTier::Watch,
        Tier::Restricted => pb::SellerTier::Restricted,
        Tier::Suspended => pb::SellerTier::Suspended,
    }
}

/// The domain tier of a filter value; `None` for unspecified (any).
#[must_use]
pub fn tier_filter(tier: pb::SellerTier) -> Option<Tier> {
    match tier {
        pb::SellerTier::Unspecified => None,
        pb::SellerTier::Trusted => Some(Tier::Trusted),
        pb::SellerTier::Good => Some(Tier::Good),
        pb::SellerTier::Watch => Some(Tier::Watch),
        pb::SellerTier::Restricted => Some(Tier::Restricted),
        pb::SellerTier::Suspended => Some(Tier::Suspended),
    }
}

#[must_use]
pub fn verification(status: VerificationStatus) -> pb::VerificationStatus {
    match status {
        VerificationStatus::Pending => pb::VerificationStatus::Pending,
        VerificationStatus::Verified => pb::VerificationStatus::Verified,
        VerificationStatus::Rejected => pb::VerificationStatus::Rejected,
    }
}

/// The domain status of a filter value; `None` for unspecified (any).
#[must_use]
pub fn verification_filter(status: pb::VerificationStatus) -> Option<VerificationStatus> {
    match status {
        pb::VerificationStatus::Unspecified => None,
        pb::VerificationStatus::Pending => Some(VerificationStatus::Pending),
        pb::VerificationStatus::Verified => Some(VerificationStatus::Verified),
        pb::VerificationStatus::Rejected => Some(VerificationStatus::Rejected),
    }
}

/// The severity of a request value; `None` for unspecified or unknown.
#[must_use]
pub fn severity_of(value: i32) -> Option<Severity> {
    match pb::ViolationSeverity::try_from(value).ok()? {
        pb::ViolationSeverity::Unspecified => None,
        pb::ViolationSeverity::Minor => Some(Severity::Minor),
        pb::ViolationSeverity::Major => Some(Severity::Major),
        pb::ViolationSeverity::Critical => Some(Severity::Critical),
    }
}

fn severity(severity: Severity) -> pb::ViolationSeverity {
    match severity {
        Severity::Minor => pb::ViolationSeverity::Minor,
        Severity::Major => pb::ViolationSeverity::Major,
        Severity::Critical => pb::ViolationSeverity::Critical,
    }
}

/// The ground of a request value; `None` for unspecified or unknown.
#[must_use]
pub fn ground_of(value: i32) -> Option<Ground> {
    match pb::ViolationGround::try_from(value).ok()? {
        pb::ViolationGround::Unspecified => None,
        pb::ViolationGround::TrademarkCounterfeit => Some(Ground::TrademarkCounterfeit),
        pb::ViolationGround::DesignOrPatentInfringement => Some(Ground::DesignOrPatentInfringement),
        pb::ViolationGround::SubstandardQuality => Some(Ground::SubstandardQuality),
        pb::ViolationGround::UnsafeProduct => Some(Ground::UnsafeProduct),
        pb::ViolationGround::ProhibitedProduct => Some(Ground::ProhibitedProduct),
        pb::ViolationGround::MisleadingInformation => Some(Ground::MisleadingInformation),
    }
}

fn ground(ground: Ground) -> pb::ViolationGround {
    match ground {
        Ground::TrademarkCounterfeit => pb::ViolationGround::TrademarkCounterfeit,
        Ground::DesignOrPatentInfringement => pb::ViolationGround::DesignOrPatentInfringement,
        Ground::SubstandardQuality => pb::ViolationGround::SubstandardQuality,
        Ground::UnsafeProduct => pb::ViolationGround::UnsafeProduct,
        Ground::ProhibitedProduct => pb::ViolationGround::ProhibitedProduct,
        Ground::MisleadingInformation => pb::ViolationGround::MisleadingInformation,
    }
}

/// The inspection result of a request value; `None` for unspecified or unknown.
#[must_use]
pub fn inspection_result_of(value: i32) -> Option<InspectionResult> {
    match pb::InspectionResult::try_from(value).ok()? {
        pb::InspectionResult::Unspecified => None,
        pb::InspectionResult::Pass => Some(InspectionResult::Pass),
        pb::InspectionResult::Fail => Some(InspectionResult::Fail),
    }
}

/// The standing message.
#[must_use]
pub fn standing(seller_id: &str, standing: &Standing, now: DateTime<Utc>) -> pb::SellerStanding {
    let (suspension_id, suspension_end_time) = match &standing.suspension {
        Some((id, ends_at)) => (id.clone(), Some(timestamp(*ends_at))),
        None => (String::new(), None),
    };
    pb::SellerStanding {
        seller_id: seller_id.to_owned(),
        score: i32::from(standing.score),
        tier: tier(standing.tier).into(),
        active_strikes: i32::try_from(standing.active_strikes).unwrap_or(i32::MAX),
        warned: standing.warned,
        suspended: standing.suspended,
        suspension_end_time,
        suspension_id,
        verification_status: verification(standing.verification).into(),
        update_time: Some(timestamp(now)),
    }
}

/// The registration in a RegisterSeller request.
#[must_use]
pub fn registration(req: &pb::RegisterSellerRequest) -> Registration {
    let address = req.address.clone().unwrap_or_default();
    Registration {
        legal_name: req.legal_name.clone(),
        display_name: req.display_name.clone(),
        email: req.email.clone(),
        phone: req.phone.clone(),
        address: Address {
            lines: address.lines,
            city: address.city,
            region: address.region,
            postal_code: address.postal_code,
            country_code: address.country_code,
        },
        trade_register_name: req.trade_register_name.clone(),
        trade_register_number: req.trade_register_number.clone(),
        id_document_ref: req.id_document_ref.clone(),
        payment_account_ref: req.payment_account_ref.clone(),
        self_certified: req.self_certified,
    }
}

fn traceability(r: Registration) -> pb::SellerTraceability {
    pb::SellerTraceability {
        legal_name: r.legal_name,
        email: r.email,
        phone: r.phone,
        address: Some(pb::Address {
            lines: r.address.lines,
            city: r.address.city,
            region: r.address.region,
            postal_code: r.address.postal_code,
            country_code: r.address.country_code,
        }),
        trade_register_name: r.trade_register_name,
        trade_register_number: r.trade_register_number,
        id_document_ref: r.id_document_ref,
        payment_account_ref: r.payment_account_ref,
        self_certified: r.self_certified,
    }
}

/// The seller message with as much as `visibility` allows: the public part always;
/// traceability data for [`Visibility::Identity`] without the document and payment references;
/// everything, with the verification note and who registered it, for [`Visibility::Full`].
#[must_use]
pub fn seller(view: &SellerView, visibility: Visibility, now: DateTime<Utc>) -> pb::Seller {
    let row = &view.row;
    let mut seller = pb::Seller {
        seller_id: row.seller_id.clone(),
        display_name: row.display_name.clone(),
        verification_status: verification(view.standing.verification).into(),
        traceability: None,
        verification_note: String::new(),
        standing: Some(standing(&row.seller_id, &view.standing, now)),
        create_time: Some(millis_timestamp(row.created_at)),
        update_time: Some(millis_timestamp(row.updated_at)),
        registered_by: None,
        close_time: row.closed_at.map(millis_timestamp),
        anonymize_time: row.anonymized_at.map(millis_timestamp),
        jurisdiction: row.country_code.to_ascii_uppercase(),
    };
    if visibility == Visibility::Identity {
        let mut identity = traceability(view.registration());
        identity.id_document_ref.clear();
        identity.payment_account_ref.clear();
        seller.traceability = Some(identity);
    }
    if visibility == Visibility::Full {
        seller.traceability = Some(traceability(view.registration()));
        seller.verification_note.clone_from(&row.verification_note);
        seller.registered_by = Some(ActorProto {
            subject: row.registered_by_subject.clone(),
            role: row.registered_by_role.clone(),
        });
    }
    seller
}

/// The violation message.
#[must_use]
pub fn violation(row: &violation::Model) -> pb::Violation {
    pb::Violation {
        violation_key: row.violation_key.clone(),
        seller_id: row.seller_id.clone(),
        case_id: row.case_id.clone(),
        listing_id: row.listing_id.clone(),
        ground: Ground::from_code(&row.ground)
            .map_or(pb::ViolationGround::Unspecified, ground)
            .into(),
        severity: Severity::from_code(&row.severity)
            .map_or(pb::ViolationSeverity::Unspecified, severity)
            .into(),
        state: if row.state == records_state::RETRACTED {
            pb::ViolationState::Retracted
        } else {
            pb::ViolationState::Upheld
        }
        .into(),
        decided_time: Some(millis_timestamp(row.decided_at)),
        record_time: Some(millis_timestamp(row.recorded_at)),
        retract_time: row.retracted_at.map(millis_timestamp),
        retract_reason: row.retract_reason.clone(),
        recorded_by: Some(ActorProto {
            subject: row.recorded_by_subject.clone(),
            role: row.recorded_by_role.clone(),
        }),
    }
}

/// The inspection message.
#[must_use]
pub fn inspection(row: &inspection::Model) -> pb::Inspection {
    let result = match InspectionResult::from_code(&row.result) {
        Some(InspectionResult::Pass) => pb::InspectionResult::Pass,
        Some(InspectionResult::Fail) => pb::InspectionResult::Fail,
        None => pb::InspectionResult::Unspecified,
    };
    pb::Inspection {
        inspection_id: row.inspection_id.clone(),
        seller_id: row.seller_id.clone(),
        agency: row.agency.clone(),
        product: row.product.clone(),
        batch: row.batch.clone(),
        result: result.into(),
        inspected_time: Some(millis_timestamp(row.inspected_at)),
        report_ref: row.report_ref.clone(),
        record_time: Some(millis_timestamp(row.recorded_at)),
        recorded_by: Some(ActorProto {
            subject: row.recorded_by_subject.clone(),
            role: row.recorded_by_role.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(seconds: i64, nanos: i32) -> (Option<DateTime<Utc>>, bool) {
        let mut v = Violations::new();
        let time = time_of(&Timestamp { seconds, nanos }, "inspected_time", &mut v);
        (time, v.is_empty())
    }

    #[test]
    fn timestamps_outside_years_1_to_9999_are_violations() {
        // Found by the hostile-input suite test: year 0 was accepted as an inspection time.
        for (seconds, nanos) in [
            (-62_135_596_801, 0),
            (253_402_300_800, 0),
            (i64::MIN, 0),
            (i64::MAX, 0),
            (0, -1),
            (0, 1_000_000_000),
        ] {
            assert_eq!(
                checked(seconds, nanos),
                (None, false),
                "{seconds}s {nanos}ns"
            );
        }
        for (seconds, nanos) in [(-62_135_596_800, 0), (253_402_300_799, 999_999_999), (0, 0)] {
            let (time, clean) = checked(seconds, nanos);
            assert!(time.is_some() && clean, "{seconds}s {nanos}ns");
        }
    }
}
