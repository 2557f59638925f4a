//! Latency of GetSellerStanding and BatchGetSellerStandings at a fixed request rate (open loop:
//! requests start on schedule whether or not earlier ones finished), over TCP through `serve`,
//! on SQLite with 1,000 sellers of which every tenth has three violations.
//!
//! `cargo bench -p genuine-reputation --bench standing_latency` (release), or
//! `cargo test -p genuine-reputation --bench standing_latency` (debug, quicker to build).
//! `BENCH_SECONDS` (default 5), `BENCH_RATE` (standing calls per second, default 500),
//! `BENCH_BATCH_RATE` (batch calls of 100 ids per second, default 50).

use std::sync::Arc;
use std::time::{Duration, Instant};

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::auth::{Role, ServiceName, TokenIssuer, TokenRequest};
use genuine_runtime::config::Source;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

const SECRET: &str = "bench-secret-of-sufficient-length";
const SELLERS: usize = 1_000;

type Client = SellerReputationServiceClient<Channel>;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn request<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

fn registration(i: usize) -> pb::RegisterSellerRequest {
    pb::RegisterSellerRequest {
        request_id: format!("bench-{i}"),
        seller_id: format!("s-{i:05}"),
        legal_name: format!("Trader {i}"),
        display_name: format!("Shop {i}"),
        email: format!("shop{i}@example.com"),
        phone: "+390551234567".into(),
        address: Some(pb::Address {
            lines: vec!["Via Roma 1".into()],
            city: "Firenze".into(),
            region: String::new(),
            postal_code: "50123".into(),
            country_code: "IT".into(),
        }),
        trade_register_name: "Registro".into(),
        trade_register_number: format!("FI-{i}"),
        id_document_ref: "doc".into(),
        payment_account_ref: "acct".into(),
        self_certified: true,
    }
}

async fn seed(client: &Client, admin: &str, enforcement: &str) -> anyhow::Result<()> {
    for i in 0..SELLERS {
        client
            .clone()
            .register_seller(request(admin, registration(i)))
            .await?;
        if i % 10 == 0 {
            for v in 0..3 {
                let violation = pb::RecordViolationRequest {
                    violation_key: format!("v-{i}-{v}"),
                    seller_id: format!("s-{i:05}"),
                    case_id: format!("case-{i}-{v}"),
                    listing_id: String::new(),
                    ground: pb::ViolationGround::TrademarkCounterfeit.into(),
                    severity: pb::ViolationSeverity::Major.into(),
                    decided_time: None,
                };
                client
                    .clone()
                    .record_violation(request(enforcement, violation))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Runs `call(i)` `rate` times a second for `seconds`; answers sorted latencies and errors.
async fn fixed_rate<F, Fut>(rate: u64, seconds: u64, call: F) -> (Vec<Duration>, usize)
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
    let mut tasks = Vec::new();
    for i in 0..rate * seconds {
        ticker.tick().await;
        let started = Instant::now();
        let fut = call(i);
        tasks.push(tokio::spawn(async move { (fut.await, started.elapsed()) }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    for task in tasks {
        match task.await {
            Ok((true, latency)) => latencies.push(latency),
            _ => errors += 1,
        }
    }
    latencies.sort_unstable();
    (latencies, errors)
}

fn report(name: &str, rate: u64, latencies: &[Duration], errors: usize) {
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{name}: {rate}/s, {} ok, {errors} errors, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds = env_or("BENCH_SECONDS", 5);
    let rate = env_or("BENCH_RATE", 500);
    let batch_rate = env_or("BENCH_BATCH_RATE", 50);
    let dir = tempfile::tempdir()?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let source = Source::from_map([
        ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
        (
            "GENUINE_REPUTATION_DATABASE_URL",
            genuine_runtime::storage::sqlite_url_in(dir.path(), "reputation"),
        ),
        ("GENUINE_LISTING_URL", "http://127.0.0.1:1".to_owned()),
    ]);
    let shutdown = CancellationToken::new();
    let server_shutdown = shutdown.clone();
    let server = tokio::spawn(async move {
        genuine_reputation::serve(
            &source,
            listener,
            genuine_runtime::clock::system(),
            server_shutdown,
        )
        .await
    });

    let issuer = TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine")?;
    let ttl = Duration::from_secs(3600);
    let admin = issuer.mint(&TokenRequest::new("admin", vec![Role::Admin], ttl))?;
    let enforcement = issuer.mint(&TokenRequest::service(ServiceName::Enforcement, ttl))?;
    let listing: Arc<str> = issuer
        .mint(&TokenRequest::service(ServiceName::Listing, ttl))?
        .into();
    let client = SellerReputationServiceClient::new(Channel::from_shared(url)?.connect_lazy());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seeding = Instant::now();
    seed(&client, &admin, &enforcement).await?;
    println!(
        "seeded {SELLERS} sellers in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let (latencies, errors) = fixed_rate(rate, seconds, |i| {
        let mut client = client.clone();
        let token = listing.clone();
        async move {
            let id = format!("s-{:05}", (i as usize * 7) % SELLERS);
            client
                .get_seller_standing(request(
                    &token,
                    pb::GetSellerStandingRequest { seller_id: id },
                ))
                .await
                .is_ok()
        }
    })
    .await;
    report("GetSellerStanding", rate, &latencies, errors);

    let (latencies, errors) = fixed_rate(batch_rate, seconds, |i| {
        let mut client = client.clone();
        let token = listing.clone();
        async move {
            let start = (i as usize * 100) % SELLERS;
            let seller_ids = (start..start + 100)
                .map(|j| format!("s-{:05}", j % SELLERS))
                .collect();
            client
                .batch_get_seller_standings(request(
                    &token,
                    pb::BatchGetSellerStandingsRequest { seller_ids },
                ))
                .await
                .is_ok()
        }
    })
    .await;
    report(
        "BatchGetSellerStandings (100 ids)",
        batch_rate,
        &latencies,
        errors,
    );

    shutdown.cancel();
    server.await??;
    Ok(())
}
