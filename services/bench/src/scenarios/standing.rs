//! `standing`: GetSellerStanding on a real seller-reputation service — the synchronous call every
//! CreateListing makes with a 50 ms deadline, so its tail latency bounds screening's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use genuine_contracts::genuine::reputation::v1 as pb;
use pb::seller_reputation_service_client::SellerReputationServiceClient;

use super::{Prepared, authed, status_label};
use crate::args::BenchArgs;
use crate::load::Op;
use crate::seed;
use crate::suite::{Service, Suite};

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let mut suite = Suite::prepare(&[Service::Reputation], args).await?;
    suite.start().await?;
    let token = suite.admin_token()?;
    let channels = suite.channels(Service::Reputation, args.channels);
    seed::sellers(channels[0].clone(), &token, args.sellers).await?;
    let clients: Vec<_> = channels
        .into_iter()
        .map(SellerReputationServiceClient::new)
        .collect();
    let next = Arc::new(AtomicU64::new(0));
    let sellers = args.sellers.max(1);
    let op: Op = Arc::new(move |worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let mut client = clients[worker % clients.len()].clone();
        let request = authed(
            pb::GetSellerStandingRequest {
                seller_id: seed::seller_id(n as usize % sellers),
            },
            &token,
        );
        Box::pin(async move {
            client
                .get_seller_standing(request)
                .await
                .map(drop)
                .map_err(|s| status_label(&s))
        })
    });
    Ok(Prepared {
        op,
        backend: suite.backend().name(),
        data: format!("{} verified sellers", args.sellers),
        keep: Box::new(suite),
    })
}
