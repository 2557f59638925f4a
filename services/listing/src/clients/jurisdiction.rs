//! Which jurisdiction sellers are registered in, asked of seller-reputation. Listings carry no
//! country of their own, and a regulator may see only the listings of its jurisdiction's
//! sellers: reads by regulators ask here before answering.

use std::collections::{HashMap, HashSet};

use futures::future::join_all;
use genuine_contracts::genuine::reputation::v1::GetSellerRequest;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::{RetryPolicy, ServiceChannel, retry_idempotent};
use genuine_runtime::errors::{ServiceError, ServiceResult};

/// Seller-reputation's GetSeller, for the public `jurisdiction` of sellers (idempotent, so
/// retried on UNAVAILABLE).
#[derive(Debug, Clone)]
pub struct SellerJurisdictions {
    client: SellerReputationServiceClient<ServiceChannel>,
    retry: RetryPolicy,
}

impl SellerJurisdictions {
    /// Look-ups over `channel`.
    #[must_use]
    pub fn new(channel: ServiceChannel) -> Self {
        Self {
            client: SellerReputationServiceClient::new(channel),
            retry: RetryPolicy::default(),
        }
    }

    /// The jurisdiction of each of `sellers` that seller-reputation knows, by seller id; each
    /// seller is asked once, all at the same time.
    ///
    /// # Errors
    /// `UNAVAILABLE` when seller-reputation cannot answer: without the answer nothing may be
    /// shown to a regulator.
    pub async fn of<'a>(
        &self,
        sellers: impl IntoIterator<Item = &'a str>,
    ) -> ServiceResult<HashMap<String, String>> {
        let mut seen = HashSet::new();
        let asked = sellers
            .into_iter()
            .filter(|seller| seen.insert(*seller))
            .map(|seller| self.one(seller));
        let mut known = HashMap::new();
        for answer in join_all(asked).await {
            if let Some((seller, jurisdiction)) = answer? {
                known.insert(seller, jurisdiction);
            }
        }
        Ok(known)
    }

    async fn one(&self, seller_id: &str) -> ServiceResult<Option<(String, String)>> {
        let answer = retry_idempotent(&self.retry, || {
            let mut client = self.client.clone();
            let request = GetSellerRequest {
                seller_id: seller_id.to_owned(),
            };
            async move { client.get_seller(request).await }
        })
        .await;
        match answer {
            Ok(response) => Ok(response
                .into_inner()
                .seller
                .map(|s| (seller_id.to_owned(), s.jurisdiction))),
            Err(status) if status.code() == tonic::Code::NotFound => Ok(None),
            Err(status) => {
                tracing::warn!(code = ?status.code(), message = status.message(), "seller jurisdiction look-up failed");
                Err(ServiceError::unavailable(
                    "seller-reputation cannot say which jurisdiction the sellers are in; try again later",
                ))
            }
        }
    }
}
