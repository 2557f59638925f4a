//! Who sells a listing: asked of the listing service when a notice names it.

use futures::future::BoxFuture;
use genuine_contracts::genuine::listing::v1::GetListingRequest;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_runtime::clients::{RetryPolicy, ServiceChannel, retry_idempotent};
use genuine_runtime::errors::{ServiceError, ServiceResult};

/// Looks up the seller of a listing. A trait so API tests can run without a listing service.
pub trait ListingDirectory: Send + Sync + std::fmt::Debug {
    /// The seller of `listing_id`, `None` when the listing does not exist.
    fn seller_of<'a>(&'a self, listing_id: &'a str)
    -> BoxFuture<'a, ServiceResult<Option<String>>>;
}

/// The listing service over gRPC (GetListing is idempotent, so it is retried on UNAVAILABLE).
#[derive(Debug, Clone)]
pub struct GrpcListings {
    client: ListingServiceClient<ServiceChannel>,
    retry: RetryPolicy,
}

impl GrpcListings {
    /// A directory over `channel`.
    #[must_use]
    pub fn new(channel: ServiceChannel) -> Self {
        Self {
            client: ListingServiceClient::new(channel),
            retry: RetryPolicy::default(),
        }
    }
}

impl ListingDirectory for GrpcListings {
    fn seller_of<'a>(
        &'a self,
        listing_id: &'a str,
    ) -> BoxFuture<'a, ServiceResult<Option<String>>> {
        Box::pin(async move {
            let answer = retry_idempotent(&self.retry, || {
                let mut client = self.client.clone();
                let request = GetListingRequest {
                    listing_id: listing_id.to_owned(),
                };
                async move { client.get_listing(request).await }
            })
            .await;
            match answer {
                Ok(response) => Ok(response.into_inner().listing.map(|l| l.seller_id)),
                // A malformed id names no listing either: the notice gets NOT_FOUND naming it,
                // not an outage.
                Err(status)
                    if matches!(
                        status.code(),
                        tonic::Code::NotFound | tonic::Code::InvalidArgument
                    ) =>
                {
                    Ok(None)
                }
                Err(status) => {
                    tracing::warn!(code = ?status.code(), message = status.message(), "listing look-up failed");
                    Err(ServiceError::unavailable(
                        "the listing service cannot answer now; try again later",
                    ))
                }
            }
        })
    }
}
