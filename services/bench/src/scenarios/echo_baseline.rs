//! `echo-baseline`: a tonic unary service that returns a CreateListing request as its response,
//! over the same channels, with a bearer header of a real token's size: what the RPC framework
//! alone sustains on this machine for this message size.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use genuine_contracts::genuine::listing::v1 as pb;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Endpoint;
use tonic_prost::ProstCodec;

use super::{Prepared, StopOnDrop, authed, status_label};
use crate::args::BenchArgs;
use crate::load::Op;
use crate::seed;
use crate::stub::{ECHO_PATH, EchoServer};

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    drop(crate::stub::serve(EchoServer, listener, shutdown.clone()));
    let channels: Vec<_> = (0..args.channels.max(1))
        .map(|_| Endpoint::from_shared(url.clone()).map(|e| e.connect_lazy()))
        .collect::<Result<_, _>>()?;
    // The size of an HS256 token with the suite's claims; the echo server does not check it.
    let token = "t".repeat(260);
    let next = Arc::new(AtomicU64::new(0));
    let (seed, brands, sellers) = (args.seed, args.brands, args.sellers);
    let op: Op = Arc::new(move |worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let mut grpc = tonic::client::Grpc::new(channels[worker % channels.len()].clone());
        let request = authed(seed::draft(seed, n, brands, sellers), &token);
        Box::pin(async move {
            grpc.ready().await.map_err(|e| format!("transport: {e}"))?;
            let codec =
                ProstCodec::<pb::CreateListingRequest, pb::CreateListingResponse>::default();
            grpc.unary(
                request,
                http::uri::PathAndQuery::from_static(ECHO_PATH),
                codec,
            )
            .await
            .map(drop)
            .map_err(|s| status_label(&s))
        })
    });
    Ok(Prepared {
        op,
        backend: "no database",
        data: "CreateListing-sized messages".to_owned(),
        keep: Box::new(StopOnDrop(shutdown)),
    })
}
