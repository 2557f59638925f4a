//! Serving over real TCP on 127.0.0.1:0 with tonic clients.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http::uri::PathAndQuery;
use http::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::health_reporter;
use tower::Service;

use super::*;
use crate::auth::{
    AccessPolicy, Allow, AuthConfig, AuthLayer, TokenIssuer, TokenRequest, TokenVerifier,
};
use crate::telemetry;

const GATED: &str = "genuine.test.v1.Gated";
const SECRET: &[u8] = b"serving-test-secret-0123456789abcdef";
const ISSUER: &str = "genuine-test";
const AUDIENCE: &str = "genuine";

/// The real auth layer: the gated RPC is public, health is public by the built-in rule, and
/// reflection needs any valid token.
fn auth_layer() -> AuthLayer {
    let verifier =
        TokenVerifier::new(AuthConfig::hs256(SECRET, ISSUER, AUDIENCE)).expect("test verifier");
    let policy = AccessPolicy::new().service(GATED, |rules| rules.rpc("Check", Allow::Public));
    AuthLayer::new(verifier, policy)
}

fn bearer_token() -> String {
    let token = TokenIssuer::hs256(SECRET, ISSUER, AUDIENCE)
        .expect("test issuer")
        .mint(&TokenRequest::new(
            "serving-test",
            Vec::new(),
            Duration::from_secs(300),
        ))
        .expect("mint");
    format!("Bearer {token}")
}

/// A test RPC `/genuine.test.v1.Gated/Check` that announces itself on `entered` and then waits
/// for a permit of `gate` before answering like `grpc.health.v1.Health/Check`.
#[derive(Clone)]
struct Gated {
    entered: Arc<Semaphore>,
    gate: Arc<Semaphore>,
}

impl Gated {
    fn new() -> Self {
        Self {
            entered: Arc::new(Semaphore::new(0)),
            gate: Arc::new(Semaphore::new(0)),
        }
    }

    fn open(&self) {
        self.gate.add_permits(1_000);
    }

    /// Waits until one more call is inside the handler.
    async fn wait_entered(&self) {
        let permit = tokio::time::timeout(Duration::from_secs(5), self.entered.acquire())
            .await
            .expect("a call entered the handler")
            .expect("semaphore open");
        permit.forget();
    }
}

impl NamedService for Gated {
    const NAME: &'static str = GATED;
}

impl Service<Request<Body>> for Gated {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            this.entered.add_permits(1);
            if let Ok(permit) = this.gate.acquire().await {
                permit.forget();
            }
            *request.uri_mut() = "/grpc.health.v1.Health/Check".parse().expect("static uri");
            let (_reporter, mut health) = health_reporter();
            health.call(request).await
        })
    }
}

struct TestServer {
    addr: SocketAddr,
    shutdown: CancellationToken,
    handle: JoinHandle<Result<(), ServeError>>,
}

impl TestServer {
    async fn start(config: ServingConfig, probe: Arc<dyn HealthProbe>, gated: &Gated) -> Self {
        telemetry::init_for_tests();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let server = GrpcServer::new(
            "test",
            config,
            Routes::new(gated.clone()),
            vec![GATED],
            probe,
            auth_layer(),
        );
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(server.serve(listener, shutdown.clone()));
        Self {
            addr,
            shutdown,
            handle,
        }
    }

    async fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect")
    }

    async fn health(&self, service: &str) -> Result<ServingStatus, Status> {
        let mut client = HealthClient::new(self.channel().await);
        let response = client
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await?;
        Ok(response.into_inner().status())
    }

    /// Polls health until it reports `expected` (or fails after 5 s).
    async fn wait_health(&self, service: &str, expected: ServingStatus) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let status = self.health(service).await.ok();
            if status == Some(expected) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "health of `{service}` stayed {status:?}, expected {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.handle)
            .await
            .expect("server stopped within 5 s")
            .expect("server task did not panic")
            .expect("server returned Ok");
    }
}

/// Calls the gated RPC.
async fn call_gated(channel: Channel) -> Result<HealthCheckResponse, Status> {
    call_unary(channel, "/genuine.test.v1.Gated/Check").await
}

/// Calls `path` with an empty message, as the gated RPC is called.
async fn call_unary(channel: Channel, path: &'static str) -> Result<HealthCheckResponse, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<HealthCheckRequest, HealthCheckResponse>::default();
    grpc.unary(
        tonic::Request::new(HealthCheckRequest::default()),
        PathAndQuery::from_static(path),
        codec,
    )
    .await
    .map(tonic::Response::into_inner)
}

fn fast_config() -> ServingConfig {
    ServingConfig {
        listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        health_poll_interval: Duration::from_millis(20),
        shutdown_grace: Duration::from_secs(5),
        ..ServingConfig::default()
    }
}

#[tokio::test]
async fn health_is_serving_with_an_ok_probe() {
    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(AlwaysServing), &gated).await;
    server.wait_health("", ServingStatus::Serving).await;
    server.wait_health(GATED, ServingStatus::Serving).await;
    server.stop().await;
}

#[tokio::test]
async fn health_follows_the_probe_both_ways() {
    let healthy = Arc::new(AtomicBool::new(true));
    let flag = healthy.clone();
    let probe = probe_fn(move || {
        let ok = flag.load(Ordering::SeqCst);
        async move { ok }
    });
    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(probe), &gated).await;

    server.wait_health("", ServingStatus::Serving).await;
    healthy.store(false, Ordering::SeqCst);
    server.wait_health("", ServingStatus::NotServing).await;
    server.wait_health(GATED, ServingStatus::NotServing).await;
    healthy.store(true, Ordering::SeqCst);
    server.wait_health("", ServingStatus::Serving).await;
    server.wait_health(GATED, ServingStatus::Serving).await;
    server.stop().await;
}

#[tokio::test]
async fn a_probe_that_hangs_counts_as_failing() {
    let probe = probe_fn(futures::future::pending::<bool>);
    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(probe), &gated).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        server.health("").await.ok(),
        Some(ServingStatus::NotServing)
    );
    server.stop().await;
}

#[tokio::test]
async fn reflection_lists_the_hosted_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(AlwaysServing), &gated).await;
    let mut client = ServerReflectionClient::new(server.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut request = tonic::Request::new(tokio_stream::iter([request]));
    request.metadata_mut().insert(
        "authorization",
        bearer_token().parse().expect("ascii token"),
    );
    let mut responses = client
        .server_reflection_info(request)
        .await
        .expect("reflection answers")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("a reflection response")
        .expect("stream not empty");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection response {response:?}");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        GATED,
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    drop(responses);
    server.stop().await;
}

#[tokio::test]
async fn a_limit_of_zero_sheds_every_call_but_health() {
    let gated = Gated::new();
    gated.open();
    let config = ServingConfig {
        concurrency_limit: 0,
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    let status = call_gated(server.channel().await).await.expect_err("shed");
    assert_eq!(status.code(), Code::ResourceExhausted);
    server.wait_health("", ServingStatus::Serving).await;
    server.stop().await;
}

#[tokio::test]
async fn a_saturated_server_sheds_immediately_and_recovers() {
    let gated = Gated::new();
    let config = ServingConfig {
        concurrency_limit: 1,
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    let channel = server.channel().await;

    let first = tokio::spawn(call_gated(channel.clone()));
    gated.wait_entered().await;

    let shed = tokio::time::timeout(Duration::from_secs(1), call_gated(channel.clone()))
        .await
        .expect("shedding answers at once, without queueing")
        .expect_err("shed");
    assert_eq!(shed.code(), Code::ResourceExhausted);
    assert_eq!(
        crate::errors::ServiceError::from_status(&shed).retry_after(),
        Some(super::RETRY_AFTER),
        "the refusal says when to retry"
    );

    gated.open();
    first
        .await
        .expect("no panic")
        .expect("admitted call succeeds");
    call_gated(channel)
        .await
        .expect("capacity is back after the first call");
    server.stop().await;
}

#[tokio::test]
async fn the_server_timeout_answers_deadline_exceeded() {
    let gated = Gated::new();
    let config = ServingConfig {
        request_timeout: Duration::from_millis(100),
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    let status = call_gated(server.channel().await)
        .await
        .expect_err("timed out");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    server.stop().await;
}

/// Through the layer directly: over a real channel the tonic client runs its own timer for the
/// same `grpc-timeout` and races the server's answer.
#[tokio::test]
async fn a_shorter_client_deadline_wins() {
    use tower::{Layer, ServiceExt};

    let never = tower::service_fn(|_request: Request<Body>| {
        futures::future::pending::<Result<Response<Body>, Infallible>>()
    });
    let request = Request::builder()
        .uri("/genuine.test.v1.Gated/Check")
        .header("grpc-timeout", "50m")
        .body(Body::default())
        .expect("request");
    let started = tokio::time::Instant::now();
    let response = TimeoutLayer::new(Duration::from_secs(10))
        .layer(never)
        .oneshot(request)
        .await
        .expect("infallible");
    assert!(started.elapsed() < Duration::from_secs(5));
    let status = Status::from_header_map(response.headers()).expect("a grpc status");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
}

#[tokio::test]
async fn shutdown_reports_not_serving_before_closing() {
    let gated = Gated::new();
    let config = ServingConfig {
        not_serving_delay: Duration::from_millis(500),
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    server.wait_health("", ServingStatus::Serving).await;

    server.shutdown.cancel();
    // The listener stays open for `not_serving_delay`, answering NOT_SERVING.
    server.wait_health("", ServingStatus::NotServing).await;
    assert_eq!(
        server.health(GATED).await.ok(),
        Some(ServingStatus::NotServing)
    );
    tokio::time::timeout(Duration::from_secs(5), server.handle)
        .await
        .expect("server future completes")
        .expect("no panic")
        .expect("clean shutdown");
}

#[tokio::test]
async fn an_in_flight_call_finishes_during_drain() {
    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(AlwaysServing), &gated).await;
    let in_flight = tokio::spawn(call_gated(server.channel().await));
    gated.wait_entered().await;

    server.shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !server.handle.is_finished(),
        "the server waits for the call"
    );

    gated.open();
    in_flight
        .await
        .expect("no panic")
        .expect("the in-flight call completes normally");
    tokio::time::timeout(Duration::from_secs(5), server.handle)
        .await
        .expect("server future completes after draining")
        .expect("no panic")
        .expect("clean shutdown");
}

#[tokio::test]
async fn draining_gives_up_after_the_grace_period() {
    let gated = Gated::new();
    let config = ServingConfig {
        shutdown_grace: Duration::from_millis(200),
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    let stuck = tokio::spawn(call_gated(server.channel().await));
    gated.wait_entered().await;

    server.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(3), server.handle)
        .await
        .expect("serve returns once the grace is over")
        .expect("no panic")
        .expect("giving up is not an error");
    stuck.abort();
}

#[tokio::test]
async fn the_server_span_continues_the_callers_trace() {
    use opentelemetry::trace::TraceContextExt;
    use tower::{Layer, ServiceExt};
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    telemetry::init_for_tests();
    let inner = tower::service_fn(|_request: Request<Body>| async {
        let trace_id = tracing::Span::current()
            .context()
            .span()
            .span_context()
            .trace_id();
        let mut response = Response::new(Body::default());
        response.extensions_mut().insert(trace_id);
        Ok::<_, Infallible>(response)
    });
    let request = Request::builder()
        .uri("/genuine.test.v1.Gated/Check")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(Body::default())
        .expect("request");
    let response = TraceContextLayer
        .layer(inner)
        .oneshot(request)
        .await
        .expect("infallible");
    let trace_id = response
        .extensions()
        .get::<opentelemetry::trace::TraceId>()
        .copied();
    assert_eq!(
        trace_id.map(|id| id.to_string()),
        Some("4bf92f3577b34da6a3ce929d0e0e4736".to_owned())
    );
}

#[tokio::test]
async fn the_auth_layer_guards_everything_but_public_rpcs() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;

    let gated = Gated::new();
    let server = TestServer::start(fast_config(), Arc::new(AlwaysServing), &gated).await;
    let mut client = ServerReflectionClient::new(server.channel().await);
    let outcome = client
        .server_reflection_info(tokio_stream::iter([ServerReflectionRequest::default()]))
        .await;
    let status = match outcome {
        Ok(_) => panic!("reflection answered a caller without a token"),
        Err(status) => status,
    };
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    server.wait_health("", ServingStatus::Serving).await;
    server.stop().await;
}

/// Runs `rounds` of `calls` concurrent calls of `path` on one connection; returns how many
/// were answered OK or with `expected`, and the others by code and message.
async fn answers_on_one_connection(
    channel: &Channel,
    path: &'static str,
    rounds: usize,
    calls: usize,
    expected: Code,
) -> (usize, std::collections::BTreeMap<String, usize>) {
    let (mut as_expected, mut other) = (0, std::collections::BTreeMap::new());
    for _ in 0..rounds {
        let round: Vec<_> = (0..calls)
            .map(|_| tokio::spawn(call_unary(channel.clone(), path)))
            .collect();
        for call in round {
            match call.await.expect("no panic") {
                Ok(_) => as_expected += 1,
                Err(status) if status.code() == expected => as_expected += 1,
                Err(status) => {
                    *other
                        .entry(format!("{:?}: {}", status.code(), status.message()))
                        .or_insert(0) += 1;
                }
            }
        }
    }
    (as_expected, other)
}

/// A server whose gated RPC answers at once, admitting `concurrency_limit` calls, and one
/// connection to it.
async fn open_server(concurrency_limit: usize) -> (TestServer, Channel) {
    let gated = Gated::new();
    gated.gate.add_permits(1_000_000);
    let config = ServingConfig {
        concurrency_limit,
        ..fast_config()
    };
    let server = TestServer::start(config, Arc::new(AlwaysServing), &gated).await;
    let channel = server.channel().await;
    (server, channel)
}

/// A refusal answered before its request was read used to leave the request's DATA frame to
/// a stream h2 had already reset, which h2 charges to the connection and never gives back:
/// after about 130 refusals it closed the connection (GOAWAY `too_many_data_frames`) and every
/// call on it failed as a transport error. Shed calls must leave the connection usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shedding_thousands_of_calls_keeps_the_connection() {
    let (server, channel) = open_server(4).await;
    let path = "/genuine.test.v1.Gated/Check";
    let (answered, other) =
        answers_on_one_connection(&channel, path, 40, 250, Code::ResourceExhausted).await;
    assert!(
        other.is_empty(),
        "transport failures on a shedding server: {other:?}"
    );
    assert_eq!(answered, 40 * 250);
    server.stop().await;
}

/// The same for calls refused by the token check, next to other callers' calls on the same
/// connection (the gateway forwards every user's token over shared channels).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusing_thousands_of_tokens_keeps_the_connection_for_other_callers() {
    let (server, channel) = open_server(10_000).await;
    // Reflection needs a token; these calls have none.
    let refused = answers_on_one_connection(
        &channel,
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        200,
        250,
        Code::Unauthenticated,
    );
    let others =
        answers_on_one_connection(&channel, "/genuine.test.v1.Gated/Check", 20, 50, Code::Ok);
    let ((refused, refused_other), (served, served_other)) = tokio::join!(refused, others);
    assert!(refused_other.is_empty(), "{refused_other:?}");
    assert!(served_other.is_empty(), "{served_other:?}");
    assert_eq!((refused, served), (200 * 250, 20 * 50));
    server.stop().await;
}

/// Callers that give up on their calls (a deadline, a caller gone) reset streams that a busy
/// server may not have accepted yet, and their answers may still arrive after the reset. h2
/// turns either into a closed connection past a small count (server: 20 reset streams waiting
/// at once, GOAWAY `too_many_resets`; client: 1,024 resets for late frames in the connection's
/// life), which fails the other calls on it. A service's own client channel and server must
/// let thousands of given-up calls pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_giving_up_on_thousands_of_calls_keep_the_connection() {
    let (server, _) = open_server(10_000).await;
    let channel = crate::clients::connect_lazy(&crate::clients::ClientConfig::new(format!(
        "http://{}",
        server.addr
    )))
    .expect("channel");
    let (mut given_up, mut failed) = (0, std::collections::BTreeMap::new());
    for round in 0..200_u64 {
        // Deadlines from 0.2 to 3.2 ms: some calls are given up before the server has
        // accepted them, some while their answers are on the way.
        let calls: Vec<_> = (0..100_u64)
            .map(|i| {
                let deadline = Duration::from_micros(200 + (i * 37 + round * 11) % 3_000);
                tokio::spawn(tokio::time::timeout(deadline, call_gated(channel.clone())))
            })
            .collect();
        for call in calls {
            match call.await.expect("no panic") {
                Err(_) => given_up += 1,
                Ok(Ok(_)) => {}
                Ok(Err(status)) => {
                    *failed
                        .entry(format!("{:?}: {}", status.code(), status.message()))
                        .or_insert(0) += 1;
                }
            }
        }
    }
    assert!(
        given_up > 1_000,
        "the test gave up on only {given_up} calls"
    );
    assert!(
        failed.is_empty(),
        "calls failed beside the given-up ones: {failed:?}"
    );
    server.stop().await;
}
