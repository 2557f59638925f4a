//! `get-case`: GetCase on enforcement over gRPC, as a regulator of the case's jurisdiction — the
//! call the gateway makes for GET /v1/cases/{id}, without the gateway: its baseline.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use genuine_contracts::genuine::enforcement::v1 as pb;
use pb::enforcement_service_client::EnforcementServiceClient;

use super::{Prepared, authed, case_reads, status_label};
use crate::args::BenchArgs;
use crate::load::Op;
use crate::suite::Service;

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let reads = case_reads::start(args).await?;
    let clients: Vec<_> = reads
        .suite
        .channels(Service::Enforcement, args.channels)
        .into_iter()
        .map(EnforcementServiceClient::new)
        .collect();
    let (case_ids, token) = (Arc::clone(&reads.case_ids), reads.token.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let op: Op = Arc::new(move |worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let mut client = clients[worker % clients.len()].clone();
        let request = authed(
            pb::GetCaseRequest {
                case_id: case_ids[n % case_ids.len()].clone(),
            },
            &token,
        );
        Box::pin(async move {
            client
                .get_case(request)
                .await
                .map(drop)
                .map_err(|s| status_label(&s))
        })
    });
    Ok(Prepared {
        op,
        backend: reads.suite.backend().name(),
        data: reads.data(),
        keep: Box::new(reads.suite),
    })
}
