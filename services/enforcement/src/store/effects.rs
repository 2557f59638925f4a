//! The cross-service effects of a transition, as outbox messages written in its transaction.
//! Each receiving RPC is idempotent on the key it carries (the case id), so at-least-once
//! delivery gives the effect once.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_runtime::outbox::{NewMessage, enqueue};
use prost::Message as _;
use sea_orm::{ConnectionTrait, DbErr};

use super::entities::case;
use crate::domain::vocabulary::{NoticeGround, Severity};

/// Outbox kinds this service enqueues (and handles).
pub mod kind {
    /// `ListingService.TakeDownListing`.
    pub const TAKE_DOWN: &str = "enforcement.take_down";
    /// `ListingService.RestoreListing`.
    pub const RESTORE: &str = "enforcement.restore";
    /// `SellerReputationService.RecordViolation`.
    pub const RECORD_VIOLATION: &str = "enforcement.record_violation";
    /// `SellerReputationService.RetractViolation`.
    pub const RETRACT_VIOLATION: &str = "enforcement.retract_violation";
    /// The counter-notice window's deadline (payload: the case id).
    pub const COUNTER_NOTICE_WINDOW: &str = "enforcement.counter_notice_window";
    /// Look up the trader and record buyer information (payload: the case id).
    pub const BUYER_NOTIFICATION: &str = "enforcement.buyer_notification";
}

/// The case's `n`th action on its listing (take-downs and restorations counted together, so
/// that listing can order them: a case can be taken down again after a reversed rejection, and
/// a late delivery of an older action must not undo a newer one). The outbox key doubles as the
/// action id the handler sends.
pub(crate) async fn take_down<C: ConnectionTrait>(
    conn: &C,
    case: &case::Model,
    n: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let key = format!("{}/take_down/{n}", case.case_id);
    let request = listing::TakeDownListingRequest {
        listing_id: case.listing_id.clone(),
        case_id: case.case_id.clone(),
        reason: format!("enforcement case {}: {}", case.case_id, case.ground),
        action_id: key.clone(),
    };
    enqueue(
        conn,
        NewMessage::deadline(kind::TAKE_DOWN, key, request.encode_to_vec(), now),
    )
    .await?;
    Ok(())
}

/// The case's `n`th action on its listing, a restoration (numbered as in [`take_down`]).
pub(crate) async fn restore<C: ConnectionTrait>(
    conn: &C,
    case: &case::Model,
    n: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let key = format!("{}/restore/{n}", case.case_id);
    let request = listing::RestoreListingRequest {
        listing_id: case.listing_id.clone(),
        case_id: case.case_id.clone(),
        action_id: key.clone(),
    };
    enqueue(
        conn,
        NewMessage::deadline(kind::RESTORE, key, request.encode_to_vec(), now),
    )
    .await?;
    Ok(())
}

/// Records the case's violation against the seller, keyed by the case.
pub(crate) async fn record_violation<C: ConnectionTrait>(
    conn: &C,
    case: &case::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let ground = NoticeGround::parse(&case.ground)
        .map_or(reputation::ViolationGround::Unspecified, violation_ground);
    let severity = case
        .decision_severity
        .as_deref()
        .and_then(Severity::parse)
        .map_or(reputation::ViolationSeverity::Major, violation_severity);
    let request = reputation::RecordViolationRequest {
        violation_key: case.case_id.clone(),
        seller_id: case.seller_id.clone(),
        case_id: case.case_id.clone(),
        listing_id: case.listing_id.clone(),
        ground: ground.into(),
        severity: severity.into(),
        decided_time: Some(timestamp(
            case.decided_at.unwrap_or_else(|| now.timestamp_millis()),
        )),
    };
    let key = format!("{}/record_violation", case.case_id);
    enqueue(
        conn,
        NewMessage::deadline(kind::RECORD_VIOLATION, key, request.encode_to_vec(), now),
    )
    .await?;
    Ok(())
}

/// Withdraws the case's violation from the seller's record.
pub(crate) async fn retract_violation<C: ConnectionTrait>(
    conn: &C,
    case: &case::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let request = reputation::RetractViolationRequest {
        violation_key: case.case_id.clone(),
        reason: reason.to_owned(),
    };
    let key = format!("{}/retract_violation", case.case_id);
    enqueue(
        conn,
        NewMessage::deadline(kind::RETRACT_VIOLATION, key, request.encode_to_vec(), now),
    )
    .await?;
    Ok(())
}

/// Schedules the end of the counter-notice window.
pub(crate) async fn start_window<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
    due: DateTime<Utc>,
) -> Result<(), DbErr> {
    let msg = NewMessage::deadline(
        kind::COUNTER_NOTICE_WINDOW,
        case_id,
        case_id.as_bytes().to_vec(),
        due,
    );
    enqueue(conn, msg).await?;
    Ok(())
}

/// Withdraws the window's deadline (legal action confirmed, or the decision reversed).
pub(crate) async fn cancel_window<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
) -> Result<(), DbErr> {
    genuine_runtime::outbox::cancel(conn, kind::COUNTER_NOTICE_WINDOW, case_id).await?;
    Ok(())
}

/// Asks for buyer information to be recorded for the case.
pub(crate) async fn inform_buyers<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let msg = NewMessage::deadline(
        kind::BUYER_NOTIFICATION,
        case_id,
        case_id.as_bytes().to_vec(),
        now,
    );
    enqueue(conn, msg).await?;
    Ok(())
}

fn violation_ground(ground: NoticeGround) -> reputation::ViolationGround {
    use reputation::ViolationGround as V;
    match ground {
        NoticeGround::Counterfeit | NoticeGround::TrademarkInfringement => V::TrademarkCounterfeit,
        NoticeGround::DesignOrPatentInfringement => V::DesignOrPatentInfringement,
        NoticeGround::SubstandardQuality => V::SubstandardQuality,
        NoticeGround::UnsafeProduct => V::UnsafeProduct,
        NoticeGround::ProhibitedProduct => V::ProhibitedProduct,
        NoticeGround::MisleadingInformation => V::MisleadingInformation,
    }
}

fn violation_severity(severity: Severity) -> reputation::ViolationSeverity {
    use reputation::ViolationSeverity as V;
    match severity {
        Severity::Low => V::Minor,
        Severity::Medium | Severity::High => V::Major,
        Severity::Critical => V::Critical,
    }
}

/// A protobuf timestamp from epoch milliseconds.
#[must_use]
pub fn timestamp(millis: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: i32::try_from(millis.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}
