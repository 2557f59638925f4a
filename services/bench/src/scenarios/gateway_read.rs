//! `gateway-read`: GET /v1/cases/{id} through the regulator gateway (started in this process in
//! front of a real enforcement) over HTTP/1.1 keep-alive connections, with a regulator's token
//! of the cases' jurisdiction: token check, scope, rate limit, access audit, the GetCase call
//! with the same token, the jurisdiction check and the JSON body. Compare with `get-case`, the
//! same call straight to enforcement.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{Prepared, StopOnDrop, case_reads};
use crate::args::BenchArgs;
use crate::load::Op;

type HttpClient = Client<HttpConnector, Empty<&'static [u8]>>;

/// How long the gateway may take to answer its first read.
const READY_WITHIN: Duration = Duration::from_secs(60);

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let mut reads = case_reads::start(args).await?;
    // The gateway's default of 300 reads a minute per regulator would be what is measured.
    reads
        .suite
        .set("GENUINE_GATEWAY_RATE_LIMIT", "1000000000/1s");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let stop = CancellationToken::new();
    let (source, token) = (reads.suite.source().clone(), stop.clone());
    tokio::spawn(async move {
        genuine_gateway::serve(&source, listener, genuine_runtime::clock::system(), token).await
    });
    let mut connector = HttpConnector::new();
    // As the gRPC channels do: small requests must not wait for the peer's delayed ACK.
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);
    let authorization = Arc::new(format!("Bearer {}", reads.token));
    let first = format!("{base}/v1/cases/{}", reads.case_ids[0]);
    ready(&client, &first, &authorization).await?;
    let case_ids = Arc::clone(&reads.case_ids);
    let next = Arc::new(AtomicUsize::new(0));
    let op: Op = Arc::new(move |_worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let url = format!("{base}/v1/cases/{}", case_ids[n % case_ids.len()]);
        let (client, authorization) = (client.clone(), Arc::clone(&authorization));
        Box::pin(async move { get(&client, &url, &authorization).await })
    });
    Ok(Prepared {
        op,
        backend: reads.suite.backend().name(),
        data: reads.data(),
        keep: Box::new((StopOnDrop(stop), reads.suite)),
    })
}

/// Waits until the gateway answers a case read (it serves before its upstream channel is up).
async fn ready(client: &HttpClient, url: &str, authorization: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    loop {
        match get(client, url, authorization).await {
            Ok(()) => return Ok(()),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                anyhow::bail!("the gateway never answered {url}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// One GET, its body read to the end; any status but 200 is an error labelled with it.
async fn get(client: &HttpClient, url: &str, authorization: &str) -> Result<(), String> {
    let request = http::Request::get(url)
        .header(http::header::AUTHORIZATION, authorization)
        .body(Empty::new())
        .map_err(|e| format!("request: {e}"))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("http: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("http body: {e}"))?
        .to_bytes();
    if status != http::StatusCode::OK || body.is_empty() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    Ok(())
}
