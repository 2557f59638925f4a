//! A stand-in for the listing service that answers only SuspendSellerListings and
//! ReinstateSellerListings and remembers each call, so tests see what the outbox delivered.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use genuine_contracts::genuine::listing::v1::{
    ReinstateSellerListingsRequest, ReinstateSellerListingsResponse, SuspendSellerListingsRequest,
    SuspendSellerListingsResponse,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// One call received: (method, seller_id, suspension_id, carried a bearer token).
pub type Call = (&'static str, String, String, bool);

/// The fake service; clones share the calls.
#[derive(Clone, Default)]
pub struct FakeListing {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl FakeListing {
    /// Serves on 127.0.0.1:0 until `shutdown`; answers the URL.
    pub async fn start(&self, shutdown: CancellationToken) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let router = tonic::transport::Server::builder().add_service(self.clone());
        tokio::spawn(async move {
            router
                .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
                .await
                .expect("fake listing serves");
        });
        url
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls
            .lock()
            .map(|calls| calls.clone())
            .unwrap_or_default()
    }

    fn record<T>(
        &self,
        method: &'static str,
        request: &Request<T>,
        seller_id: &str,
        suspension_id: &str,
    ) {
        let bearer = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((
                method,
                seller_id.to_owned(),
                suspension_id.to_owned(),
                bearer,
            ));
        }
    }
}

struct Suspend(FakeListing);

impl UnaryService<SuspendSellerListingsRequest> for Suspend {
    type Response = SuspendSellerListingsResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;

    fn call(&mut self, request: Request<SuspendSellerListingsRequest>) -> Self::Future {
        let r = request.get_ref();
        self.0.record(
            "SuspendSellerListings",
            &request,
            &r.seller_id,
            &r.suspension_id,
        );
        Box::pin(async {
            Ok(Response::new(SuspendSellerListingsResponse {
                affected_count: 2,
            }))
        })
    }
}

struct Reinstate(FakeListing);

impl UnaryService<ReinstateSellerListingsRequest> for Reinstate {
    type Response = ReinstateSellerListingsResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;

    fn call(&mut self, request: Request<ReinstateSellerListingsRequest>) -> Self::Future {
        let r = request.get_ref();
        self.0.record(
            "ReinstateSellerListings",
            &request,
            &r.seller_id,
            &r.suspension_id,
        );
        Box::pin(async {
            Ok(Response::new(ReinstateSellerListingsResponse {
                affected_count: 2,
            }))
        })
    }
}

impl Service<http::Request<Body>> for FakeListing {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let fake = self.clone();
        Box::pin(async move {
            let response = match request.uri().path() {
                "/genuine.listing.v1.ListingService/SuspendSellerListings" => {
                    Grpc::new(ProstCodec::default())
                        .unary(Suspend(fake), request)
                        .await
                }
                "/genuine.listing.v1.ListingService/ReinstateSellerListings" => {
                    Grpc::new(ProstCodec::default())
                        .unary(Reinstate(fake), request)
                        .await
                }
                _ => Status::unimplemented("not faked").into_http(),
            };
            Ok(response)
        })
    }
}

impl NamedService for FakeListing {
    const NAME: &'static str = "genuine.listing.v1.ListingService";
}
