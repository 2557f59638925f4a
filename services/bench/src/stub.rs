//! Two hand-written tonic services with no logic: the echo server (the RPC framework's limit for
//! a CreateListing-sized message) and the sink (a stand-in enforcement that accepts every
//! notice, so the listing outbox delivers as in production without enforcement's own work
//! competing for the two cores a create-listing run measures).

use std::convert::Infallible;
use std::task::{Context, Poll};

use genuine_contracts::genuine::listing::v1 as pb;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::transport::server::TcpIncoming;
use tonic_prost::ProstCodec;

/// The echo service's only method.
pub const ECHO_PATH: &str = "/genuine.bench.v1.Echo/Echo";

/// Answers a `CreateListingRequest` with the `CreateListingResponse` that carries it back, so
/// both directions have the real call's size and shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct EchoServer;

impl NamedService for EchoServer {
    const NAME: &'static str = "genuine.bench.v1.Echo";
}

impl UnaryService<pb::CreateListingRequest> for EchoServer {
    type Response = pb::CreateListingResponse;
    type Future = BoxFuture<tonic::Response<Self::Response>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<pb::CreateListingRequest>) -> Self::Future {
        let r = request.into_inner();
        let listing = pb::Listing {
            listing_id: r.request_id,
            seller_id: r.seller_id,
            title: r.title,
            description: r.description,
            category: r.category,
            price: r.price,
            ..Default::default()
        };
        Box::pin(async move {
            Ok(tonic::Response::new(pb::CreateListingResponse {
                listing: Some(listing),
            }))
        })
    }
}

impl Service<http::Request<Body>> for EchoServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = Grpc::new(ProstCodec::<
                pb::CreateListingResponse,
                pb::CreateListingRequest,
            >::default());
            Ok(grpc.unary(Self, request).await)
        })
    }
}

/// Accepts every unary call of `genuine.enforcement.v1.EnforcementService` with an empty
/// answer (the listing's notice delivery reads only the status).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnforcementSink;

impl NamedService for EnforcementSink {
    const NAME: &'static str =
        genuine_contracts::genuine::enforcement::v1::enforcement_service_server::SERVICE_NAME;
}

impl UnaryService<()> for EnforcementSink {
    type Response = ();
    type Future = BoxFuture<tonic::Response<()>, tonic::Status>;

    fn call(&mut self, _request: tonic::Request<()>) -> Self::Future {
        Box::pin(async { Ok(tonic::Response::new(())) })
    }
}

impl Service<http::Request<Body>> for EnforcementSink {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = Grpc::new(ProstCodec::<(), ()>::default());
            Ok(grpc.unary(Self, request).await)
        })
    }
}

/// Serves `service` alone on `listener` until `shutdown`.
pub fn serve<S>(
    service: S,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> JoinHandle<anyhow::Result<()>>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + NamedService
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            // Without NODELAY, small responses wait for the peer's delayed ACK (~40 ms).
            .serve_with_incoming_shutdown(
                TcpIncoming::from(listener).with_nodelay(Some(true)),
                shutdown.cancelled_owned(),
            )
            .await?;
        Ok(())
    })
}
