//! Seller standing from seller-reputation, within a short deadline. Screening never waits
//! longer: a late or failed answer becomes `Standing::Unavailable`, and the listing is held.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::ServiceChannel;
use tokio::sync::{mpsc, oneshot};

use super::standing_batch::{self, Lookup, late, unavailable};
use crate::screening::Standing;

/// Why a look-up that finished in time has no answer: the batching task is gone.
const STOPPED: &str = "the standing look-up stopped (shutting down)";

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
        self.standings([seller_id])
            .await
            .remove(seller_id)
            .unwrap_or_else(|| unavailable(STOPPED.to_owned()))
    }

    /// The standings of several sellers, each looked up once, all within one deadline: a chunk
    /// of a ScreenListings stream asks for its sellers together instead of once per draft.
    /// Every seller asked has an entry: one without an answer in time is `Unavailable`.
    pub async fn standings<'a>(
        &self,
        sellers: impl IntoIterator<Item = &'a str>,
    ) -> HashMap<String, StandingAnswer> {
        let mut seen = HashSet::new();
        let pending: Vec<String> = sellers
            .into_iter()
            .filter(|s| seen.insert(*s))
            .map(str::to_owned)
            .collect();
        let mut answered = HashMap::with_capacity(pending.len());
        let asked = async {
            let mut replies = Vec::with_capacity(pending.len());
            for seller in &pending {
                let (reply, answer) = oneshot::channel();
                let lookup = Lookup {
                    seller_id: seller.clone(),
                    reply,
                };
                if self.lookups.send(lookup).await.is_err() {
                    break;
                }
                replies.push((seller, answer));
            }
            for (seller, answer) in replies {
                if let Ok(answer) = answer.await {
                    answered.insert(seller.clone(), answer);
                }
            }
        };
        let missing = match tokio::time::timeout(self.deadline, asked).await {
            Ok(()) => STOPPED.to_owned(),
            Err(_) => late(self.deadline),
        };
        for seller in pending {
            answered
                .entry(seller)
                .or_insert_with(|| unavailable(missing.clone()));
        }
        answered
    }
}
