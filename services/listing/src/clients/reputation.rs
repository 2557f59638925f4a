//! Seller standing from seller-reputation, within a short deadline. Screening never waits
//! longer: a late or failed answer becomes `Standing::Unavailable`, and the listing is held.

use std::time::Duration;

use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_contracts::genuine::reputation::v1::{GetSellerStandingRequest, VerificationStatus};
use genuine_runtime::clients::ServiceChannel;

use crate::screening::{SellerStanding, Standing};

/// What seller-reputation said about a seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandingAnswer {
    /// Known seller (or no answer in time: `Standing::Unavailable`).
    Standing(Standing),
    /// Seller-reputation does not know the seller: the request names no registered trader.
    UnknownSeller,
}

/// Caller of `GetSellerStanding`.
#[derive(Clone)]
pub struct StandingClient {
    client: SellerReputationServiceClient<ServiceChannel>,
    deadline: Duration,
}

impl std::fmt::Debug for StandingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandingClient")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl StandingClient {
    /// A client over `channel`, answering within `deadline`.
    #[must_use]
    pub fn new(channel: ServiceChannel, deadline: Duration) -> Self {
        Self {
            client: SellerReputationServiceClient::new(channel),
            deadline,
        }
    }

    /// The seller's standing, or `Unavailable` with the reason when it cannot be had in time.
    pub async fn standing(&self, seller_id: &str) -> StandingAnswer {
        let mut request = tonic::Request::new(GetSellerStandingRequest {
            seller_id: seller_id.to_owned(),
        });
        request.set_timeout(self.deadline);
        let mut client = self.client.clone();
        // The outer timeout also bounds connecting, which the gRPC deadline does not cover.
        let answer = tokio::time::timeout(self.deadline, client.get_seller_standing(request)).await;
        match answer {
            Err(_) => unavailable(format!("no answer within {} ms", self.deadline.as_millis())),
            Ok(Err(status)) if status.code() == tonic::Code::NotFound => {
                StandingAnswer::UnknownSeller
            }
            Ok(Err(status)) => {
                tracing::warn!(code = ?status.code(), "seller standing unavailable");
                unavailable(format!("seller-reputation answered {:?}", status.code()))
            }
            Ok(Ok(response)) => match response.into_inner().standing {
                Some(s) => StandingAnswer::Standing(Standing::Known(SellerStanding {
                    score: s.score,
                    active_strikes: s.active_strikes,
                    suspended: s.suspended,
                    verified: s.verification_status == VerificationStatus::Verified as i32,
                })),
                None => unavailable("seller-reputation answered without a standing".to_owned()),
            },
        }
    }
}

fn unavailable(reason: String) -> StandingAnswer {
    StandingAnswer::Standing(Standing::Unavailable(reason))
}
