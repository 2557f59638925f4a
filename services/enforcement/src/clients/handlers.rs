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
                let request: listing::TakeDownListingRequest = msg.decode()?;
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
                let request: listing::RestoreListingRequest = msg.decode()?;
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
                    .map_err(Failure::from)?;
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
