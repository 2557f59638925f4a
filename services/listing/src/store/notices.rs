//! The notice screening files with enforcement for a HOLD or BLOCK ("own initiative"), written
//! to the outbox in the screening's transaction and delivered by the dispatcher.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_runtime::outbox::NewMessage;
use prost::Message as _;

use crate::screening::{Assessment, Decision, SignalCode};

/// Outbox kind of the notice message.
pub const SUBMIT_NOTICE: &str = "listing.submit_notice";

/// Notifier id of automated detection, as enforcement records it.
pub const NOTIFIER_ID: &str = "listing-screening";

/// The notice for a held or blocked screening of `listing_id` at `version`. Its key (also the
/// notice's request id) is the listing and screening version, so a re-delivery files it once.
#[must_use]
pub fn notice_message(
    listing_id: &str,
    seller_id: &str,
    version: i64,
    assessment: &Assessment,
    now: DateTime<Utc>,
) -> NewMessage {
    let key = format!("screening/{listing_id}/{version}");
    let decision = match assessment.decision {
        Decision::Publish => "PUBLISH",
        Decision::HoldForReview => "HOLD_FOR_REVIEW",
        Decision::Block => "BLOCK",
    };
    let brand_id = assessment.signals.iter().find_map(|s| s.brand_id.clone());
    let signals: Vec<String> = assessment
        .signals
        .iter()
        .map(|s| format!("{:?} (+{}): {}", s.code, s.weight, s.detail))
        .collect();
    let counterfeit = assessment.signals.iter().any(|s| {
        matches!(
            s.code,
            SignalCode::ReplicaVocabulary
                | SignalCode::ImageMatchesKnownCounterfeit
                | SignalCode::PriceFarBelowReference
        )
    });
    let ground = if counterfeit || brand_id.is_none() {
        enforcement::NoticeGround::Counterfeit
    } else {
        enforcement::NoticeGround::TrademarkInfringement
    };
    let request = enforcement::SubmitNoticeRequest {
        request_id: key.clone(),
        source: enforcement::NoticeSource::AutomatedDetection as i32,
        notifier: Some(enforcement::Notifier {
            notifier_id: NOTIFIER_ID.to_owned(),
            name: "Listing screening".to_owned(),
            email: String::new(),
            organization: String::new(),
        }),
        ground: ground as i32,
        listing_ids: vec![listing_id.to_owned()],
        brand_id,
        explanation: format!(
            "Automated screening of listing {listing_id} by seller {seller_id} decided {decision} \
             with risk score {}: {}",
            assessment.risk_score,
            signals.join("; ")
        ),
        evidence_urls: Vec::new(),
        good_faith_declaration: false,
        jurisdiction: String::new(),
        automated_detection: Some(enforcement::AutomatedDetection {
            risk_score: assessment.risk_score,
            decision: decision.to_owned(),
            signals,
        }),
    };
    NewMessage::deadline(SUBMIT_NOTICE, key, request.encode_to_vec(), now)
}
