//! Seller standing from seller-reputation, within a short deadline. Screening never waits
//! longer: a late or failed answer becomes `Standing::Unavailable`, and the listing is held.

use std::time::Duration;

use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::ServiceChannel;
use tokio::sync::{mpsc, oneshot};

use super::standing_batch::{self, Lookup, late, unavailable};
use crate::screening::Standing;

/// What seller-reputation said about a seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandingAnswer {
    /// Known seller (or no answer in time: `Standing::Unavailable`).
    Standing(Standing),
    /// Seller-reputation does not know the seller: the request names no registered trader.
    UnknownSeller,
}

/// Caller of seller-reputation for standings: concurrent look-ups share one
/// `BatchGetSellerStandings` call ([`super::standing_batch`]).
#[derive(Clone)]
pub struct StandingClient {
    lookups: mpsc::Sender<Lookup>,
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
    /// A client over `channel`, answering within `deadline`. Spawns the task that batches
    /// look-ups, so it must be called within a Tokio runtime.
    #[must_use]
    pub fn new(channel: ServiceChannel, deadline: Duration) -> Self {
        Self {
            lookups: standing_batch::spawn(SellerReputationServiceClient::new(channel), deadline),
            deadline,
        }
    }

    /// The seller's standing, or `Unavailable` with the reason when it cannot be had in time.
    pub async fn standing(&self, seller_id: &str) -> StandingAnswer {
        let (reply, answer) = oneshot::channel();
        let lookup = Lookup {
            seller_id: seller_id.to_owned(),
            reply,
        };
        let asked = async {
            self.lookups.send(lookup).await.ok()?;
            answer.await.ok()
        };
        match tokio::time::timeout(self.deadline, asked).await {
            Ok(Some(answer)) => answer,
            Ok(None) => unavailable("the standing look-up stopped (shutting down)".to_owned()),
            Err(_) => unavailable(late(self.deadline)),
        }
    }
}
