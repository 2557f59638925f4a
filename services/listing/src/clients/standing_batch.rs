//! Coalescing of concurrent standing look-ups: the look-ups queued while earlier calls were in
//! flight go to seller-reputation together in one `BatchGetSellerStandings` (one RPC, one
//! token check, one query there instead of one per listing). Nothing is cached: every answer
//! comes from a call that started after the look-up was asked, so it is as fresh as a call of
//! its own would have been.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_contracts::genuine::reputation::v1::{
    BatchGetSellerStandingsRequest, GetSellerStandingRequest, SellerStanding as PbStanding,
    VerificationStatus,
};
use genuine_runtime::clients::ServiceChannel;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::reputation::StandingAnswer;
use crate::screening::{SellerStanding, Standing};

/// Sellers per batch call (seller-reputation accepts up to 1,000).
pub(super) const MAX_SELLERS: usize = 256;

/// Batch calls in flight at once; look-ups asked meanwhile wait for the next one.
const CALLS_IN_FLIGHT: usize = 4;

/// One caller's look-up.
pub(super) struct Lookup {
    pub(super) seller_id: String,
    pub(super) reply: oneshot::Sender<StandingAnswer>,
}

type Client = SellerReputationServiceClient<ServiceChannel>;

/// Spawns the task that batches look-ups sent to the answer; it ends when every sender is
/// dropped.
pub(super) fn spawn(client: Client, deadline: Duration) -> mpsc::Sender<Lookup> {
    let (sender, queue) = mpsc::channel(4 * MAX_SELLERS);
    tokio::spawn(batch_lookups(client, deadline, queue));
    sender
}

async fn batch_lookups(client: Client, deadline: Duration, mut queue: mpsc::Receiver<Lookup>) {
    let calls = Arc::new(Semaphore::new(CALLS_IN_FLIGHT));
    while let Some(first) = queue.recv().await {
        // Waiting for a free call lets the next batch fill.
        let Ok(permit) = Arc::clone(&calls).acquire_owned().await else {
            return;
        };
        let mut lookups = vec![first];
        while lookups.len() < MAX_SELLERS {
            match queue.try_recv() {
                Ok(lookup) => lookups.push(lookup),
                Err(_) => break,
            }
        }
        let client = client.clone();
        tokio::spawn(async move {
            answer(client, deadline, lookups).await;
            drop(permit);
        });
    }
}

/// Asks for the sellers of `lookups` in one call and answers each.
async fn answer(client: Client, deadline: Duration, lookups: Vec<Lookup>) {
    let mut sellers: Vec<String> = lookups.iter().map(|l| l.seller_id.clone()).collect();
    sellers.sort_unstable();
    sellers.dedup();
    let mut answers = ask_batch(client.clone(), deadline, sellers.clone()).await;
    if answers.is_none() && sellers.len() > 1 {
        // One seller id seller-reputation refuses must not leave the others without an
        // answer: ask for each alone.
        let singles = sellers
            .iter()
            .map(|s| ask_one(client.clone(), deadline, s.clone()));
        let found = futures::future::join_all(singles).await;
        answers = Some(sellers.iter().cloned().zip(found).collect());
    }
    for lookup in lookups {
        let standing = answers
            .as_ref()
            .and_then(|a| a.get(&lookup.seller_id).cloned())
            .unwrap_or_else(|| unavailable("seller-reputation refused the look-up".to_owned()));
        // The caller may have given up at its deadline.
        let _ = lookup.reply.send(standing);
    }
}

/// The standings of `sellers` by one `BatchGetSellerStandings`, or `None` when it refused the
/// request as invalid (ask one by one).
async fn ask_batch(
    mut client: Client,
    deadline: Duration,
    sellers: Vec<String>,
) -> Option<HashMap<String, StandingAnswer>> {
    let mut request = tonic::Request::new(BatchGetSellerStandingsRequest {
        seller_ids: sellers.clone(),
    });
    request.set_timeout(deadline);
    // The outer timeout also bounds connecting, which the gRPC deadline does not cover.
    let reply = tokio::time::timeout(deadline, client.batch_get_seller_standings(request)).await;
    let failed = |reason: String| {
        Some(
            sellers
                .iter()
                .map(|s| (s.clone(), unavailable(reason.clone())))
                .collect(),
        )
    };
    match reply {
        Err(_) => failed(late(deadline)),
        Ok(Err(status)) if status.code() == tonic::Code::InvalidArgument => None,
        Ok(Err(status)) => {
            tracing::warn!(code = ?status.code(), "seller standings unavailable");
            failed(format!("seller-reputation answered {:?}", status.code()))
        }
        Ok(Ok(reply)) => {
            let reply = reply.into_inner();
            let mut answers: HashMap<String, StandingAnswer> = reply
                .missing_seller_ids
                .into_iter()
                .map(|s| (s, StandingAnswer::UnknownSeller))
                .collect();
            for standing in reply.standings {
                answers.insert(
                    standing.seller_id.clone(),
                    StandingAnswer::Standing(known(&standing)),
                );
            }
            Some(answers)
        }
    }
}

/// The standing of one seller by `GetSellerStanding`.
pub(super) async fn ask_one(
    mut client: Client,
    deadline: Duration,
    seller: String,
) -> StandingAnswer {
    let mut request = tonic::Request::new(GetSellerStandingRequest { seller_id: seller });
    request.set_timeout(deadline);
    let answer = tokio::time::timeout(deadline, client.get_seller_standing(request)).await;
    match answer {
        Err(_) => unavailable(late(deadline)),
        Ok(Err(status)) if status.code() == tonic::Code::NotFound => StandingAnswer::UnknownSeller,
        Ok(Err(status)) => {
            tracing::warn!(code = ?status.code(), "seller standing unavailable");
            unavailable(format!("seller-reputation answered {:?}", status.code()))
        }
        Ok(Ok(response)) => match response.into_inner().standing {
            Some(s) => StandingAnswer::Standing(known(&s)),
            None => unavailable("seller-reputation answered without a standing".to_owned()),
        },
    }
}

fn known(s: &PbStanding) -> Standing {
    Standing::Known(SellerStanding {
        score: s.score,
        active_strikes: s.active_strikes,
        suspended: s.suspended,
        verified: s.verification_status == VerificationStatus::Verified as i32,
    })
}

pub(super) fn late(deadline: Duration) -> String {
    format!("no answer within {} ms", deadline.as_millis())
}

pub(super) fn unavailable(reason: String) -> StandingAnswer {
    StandingAnswer::Standing(Standing::Unavailable(reason))
}
