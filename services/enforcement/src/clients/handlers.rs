//! Outbox handlers: each delivers one kind of message with one idempotent call carrying the
//! case as its key, or fires a deadline through the store.

use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::ServiceChannel;
use genuine_runtime::outbox::{Failure, Handlers, Message};

use crate::store::effects::kind;
use crate::store::{Store, Trader};

/// The handlers of every kind this service enqueues.
#[must_use]
pub fn handlers(
    listing: ListingServiceClient<ServiceChannel>,
    reputation: SellerReputationServiceClient<ServiceChannel>,
    store: Store,
) -> Handlers {
    let take_down = listing.clone();
    let restore = listing;
    let record = reputation.clone();
    let retract = reputation.clone();
    let window_store = store.clone();
    Handlers::new()
        .with_fn(kind::TAKE_DOWN, move |msg: Message| {
            let mut client = take_down.clone();
            async move {
                let mut request: listing::TakeDownListingRequest = msg.decode()?;
                with_action_id(&mut request.action_id, &msg);
                client
                    .take_down_listing(request)
                    .await
                    .map_err(Failure::from)?;
                Ok(())
            }
        })
        .with_fn(kind::RESTORE, move |msg: Message| {
            let mut client = restore.clone();
            async move {
                let mut request: listing::RestoreListingRequest = msg.decode()?;
                with_action_id(&mut request.action_id, &msg);
                client
                    .restore_listing(request)
                    .await
                    .map_err(Failure::from)?;
                Ok(())
            }
        })
        .with_fn(kind::RECORD_VIOLATION, move |msg: Message| {
            let mut client = record.clone();
            async move {
                let request: reputation::RecordViolationRequest = msg.decode()?;
                client
                    .record_violation(request)
                    .await
                    .map_err(Failure::from)?;
                Ok(())
            }
        })
        .with_fn(kind::RETRACT_VIOLATION, move |msg: Message| {
            let mut client = retract.clone();
            async move {
                let request: reputation::RetractViolationRequest = msg.decode()?;
                client
                    .retract_violation(request)
                    .await
                    .map_err(retract_failure)?;
                Ok(())
            }
        })
        .with_fn(kind::COUNTER_NOTICE_WINDOW, move |msg: Message| {
            let store = window_store.clone();
            async move {
                let case_id = case_id(&msg)?;
                store.expire_window(&case_id).await?;
                Ok(())
            }
        })
        .with_fn(kind::BUYER_NOTIFICATION, move |msg: Message| {
            let mut client = reputation.clone();
            let store = store.clone();
            async move {
                let case_id = case_id(&msg)?;
                let case = store.case(&case_id).await?;
                let seller_id = case.case.seller_id.clone();
                let request = reputation::GetSellerRequest {
                    seller_id: seller_id.clone(),
                };
                let seller = client
                    .get_seller(request)
                    .await
                    .map_err(Failure::from)?
                    .into_inner()
                    .seller;
                store
                    .record_buyer_notification(&case_id, &trader(&seller_id, seller))
                    .await?;
                Ok(())
            }
        })
}

/// How a failed RetractViolation is handled. NOT_FOUND means the violation is not (yet) on the
/// record: outbox retries can deliver the retraction before the RecordViolation it undoes, so
/// it is retried (with backoff, then parked) instead of parked at once.
fn retract_failure(status: tonic::Status) -> Failure {
    if status.code() == tonic::Code::NotFound {
        return Failure::Retry(format!(
            "the violation is not recorded yet (RecordViolation may still be on its way): {}",
            status.message()
        ));
    }
    Failure::from(status)
}

/// The outbox key (`<case>/take_down/<n>`, `<case>/restore/<n>`) is the action's id: listing
/// tells a repeat from a newer action of the same case by it. Messages enqueued without one
/// (before the field existed) get it here.
fn with_action_id(action_id: &mut String, msg: &Message) {
    if action_id.is_empty() {
        action_id.clone_from(&msg.key);
    }
}

fn case_id(msg: &Message) -> Result<String, Failure> {
    String::from_utf8(msg.payload.clone())
        .map_err(|_| Failure::Park(format!("{} payload is not a case id", msg.kind)))
}

/// The trader identity buyers are told, from the seller's traceability data.
fn trader(seller_id: &str, seller: Option<reputation::Seller>) -> Trader {
    let Some(seller) = seller else {
        return Trader {
            seller_id: seller_id.to_owned(),
            ..Trader::default()
        };
    };
    let t = seller.traceability.unwrap_or_default();
    let address = t.address.map_or_else(String::new, |a| {
        let mut parts = a.lines;
        parts.extend([a.postal_code, a.city, a.region, a.country_code]);
        parts.retain(|p| !p.is_empty());
        parts.join(", ")
    });
    Trader {
        seller_id: seller.seller_id,
        name: if t.legal_name.is_empty() {
            seller.display_name
        } else {
            t.legal_name
        },
        address,
        email: t.email,
        phone: t.phone,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn message(key: &str) -> Message {
        Message {
            id: 1,
            kind: kind::TAKE_DOWN.to_owned(),
            key: key.to_owned(),
            payload: Vec::new(),
            attempts: 1,
            due_at: Utc::now(),
            trace_parent: None,
        }
    }

    #[test]
    fn a_retraction_before_its_violation_is_retried() {
        let early = retract_failure(tonic::Status::not_found("violation case-1 not found"));
        assert!(matches!(early, Failure::Retry(_)), "{early:?}");
        let refused = retract_failure(tonic::Status::permission_denied("no"));
        assert!(matches!(refused, Failure::Park(_)), "{refused:?}");
        let down = retract_failure(tonic::Status::unavailable("down"));
        assert!(matches!(down, Failure::Retry(_)), "{down:?}");
    }

    #[test]
    fn the_outbox_key_is_the_action_id() {
        let mut empty = String::new();
        with_action_id(&mut empty, &message("case-1/take_down/3"));
        assert_eq!(empty, "case-1/take_down/3");
        let mut set = "case-1/take_down/2".to_owned();
        with_action_id(&mut set, &message("case-1/take_down/3"));
        assert_eq!(set, "case-1/take_down/2", "an id in the payload is kept");
    }
}
