//! Calls to listing: SuspendSellerListings and ReinstateSellerListings, with the request stored
//! in the message payload. Listing is idempotent on (seller_id, suspension_id).

use futures::future::BoxFuture;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::listing::v1::{
    ReinstateSellerListingsRequest, SuspendSellerListingsRequest,
};
use genuine_runtime::clients::ServiceChannel;
use genuine_runtime::outbox::{Failure, Handler, Message};

/// Delivers `listing.suspend_seller_listings`.
#[derive(Clone)]
pub struct SuspendListings {
    client: ListingServiceClient<ServiceChannel>,
}

impl SuspendListings {
    /// A handler calling listing through `client`.
    #[must_use]
    pub fn new(client: ListingServiceClient<ServiceChannel>) -> Self {
        Self { client }
    }
}

impl Handler for SuspendListings {
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let request: SuspendSellerListingsRequest = message.decode()?;
            let response = self.client.clone().suspend_seller_listings(request).await?;
            tracing::info!(
                suspension_id = %message.key,
                affected = response.get_ref().affected_count,
                "seller's listings suspended"
            );
            Ok(())
        })
    }
}

/// Delivers `listing.reinstate_seller_listings`.
#[derive(Clone)]
pub struct ReinstateListings {
    client: ListingServiceClient<ServiceChannel>,
}

impl ReinstateListings {
    /// A handler calling listing through `client`.
    #[must_use]
    pub fn new(client: ListingServiceClient<ServiceChannel>) -> Self {
        Self { client }
    }
}

impl Handler for ReinstateListings {
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let request: ReinstateSellerListingsRequest = message.decode()?;
            let response = self
                .client
                .clone()
                .reinstate_seller_listings(request)
                .await?;
            tracing::info!(
                suspension_id = %message.key,
                affected = response.get_ref().affected_count,
                "seller's listings reinstated"
            );
            Ok(())
        })
    }
}
