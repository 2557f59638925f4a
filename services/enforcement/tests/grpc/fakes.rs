//! Stand-ins for the listing and reputation services: GetListing answers from a fixed table,
//! and every effect call (TakeDownListing, RestoreListing, RecordViolation, RetractViolation,
//! GetSeller) is remembered, so tests see what the outbox delivered.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use prost::Message;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// One call received: (method, key) where key is the case id or seller id.
pub type Call = (&'static str, String);

/// The calls both fakes received.
#[derive(Clone, Default)]
pub struct Peers {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Peers {
    /// Serves both fakes on 127.0.0.1:0 until `shutdown`; answers the URL.
    pub async fn start(&self, shutdown: CancellationToken) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let router = tonic::transport::Server::builder()
            .add_service(FakeListing(self.clone()))
            .add_service(FakeReputation(self.clone()));
        tokio::spawn(async move {
            router
                .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
                .await
                .expect("fakes serve");
        });
        url
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Calls of one method, by key.
    pub fn keys(&self, method: &str) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|(m, _)| *m == method)
            .map(|(_, k)| k)
            .collect()
    }

    fn record(&self, method: &'static str, key: &str) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((method, key.to_owned()));
        }
    }
}

/// The seller of a fake listing: `l-<n>` belongs to `seller-1`, `o-<n>` to `seller-2`; anything
/// else does not exist.
pub fn seller_of(listing_id: &str) -> Option<&'static str> {
    if listing_id.starts_with("l-") {
        Some("seller-1")
    } else if listing_id.starts_with("o-") {
        Some("seller-2")
    } else {
        None
    }
}

/// A unary handler from a closure.
struct Unary<Req, Resp>(Arc<dyn Fn(Req) -> Result<Resp, Status> + Send + Sync>);

impl<Req: Send + 'static, Resp: Send + 'static> UnaryService<Req> for Unary<Req, Resp> {
    type Response = Resp;
    type Future = BoxFuture<Response<Resp>, Status>;

    fn call(&mut self, request: Request<Req>) -> Self::Future {
        let answer = (self.0)(request.into_inner()).map(Response::new);
        Box::pin(async move { answer })
    }
}

async fn unary<Req, Resp>(
    request: http::Request<Body>,
    f: impl Fn(Req) -> Result<Resp, Status> + Send + Sync + 'static,
) -> http::Response<Body>
where
    Req: Message + Default + Send + 'static,
    Resp: Message + Send + 'static,
{
    Grpc::new(ProstCodec::default())
        .unary(Unary(Arc::new(f)), request)
        .await
}

#[derive(Clone)]
struct FakeListing(Peers);

impl Service<http::Request<Body>> for FakeListing {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let peers = self.0.clone();
        Box::pin(async move {
            let path = request
                .uri()
                .path()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let response = match path.as_str() {
                "GetListing" => {
                    unary(request, |r: listing::GetListingRequest| {
                        match seller_of(&r.listing_id) {
                            Some(seller) => Ok(listing::GetListingResponse {
                                listing: Some(listing::Listing {
                                    listing_id: r.listing_id,
                                    seller_id: seller.to_owned(),
                                    ..listing::Listing::default()
                                }),
                            }),
                            None => Err(Status::not_found("no such listing")),
                        }
                    })
                    .await
                }
                "TakeDownListing" => {
                    unary(request, move |r: listing::TakeDownListingRequest| {
                        peers.record("TakeDownListing", &r.case_id);
                        Ok(listing::TakeDownListingResponse::default())
                    })
                    .await
                }
                "RestoreListing" => {
                    unary(request, move |r: listing::RestoreListingRequest| {
                        peers.record("RestoreListing", &r.case_id);
                        Ok(listing::RestoreListingResponse::default())
                    })
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

#[derive(Clone)]
struct FakeReputation(Peers);

impl Service<http::Request<Body>> for FakeReputation {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let peers = self.0.clone();
        Box::pin(async move {
            let path = request
                .uri()
                .path()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let response = match path.as_str() {
                "RecordViolation" => {
                    unary(request, move |r: reputation::RecordViolationRequest| {
                        peers.record("RecordViolation", &r.violation_key);
                        Ok(reputation::RecordViolationResponse::default())
                    })
                    .await
                }
                "RetractViolation" => {
                    unary(request, move |r: reputation::RetractViolationRequest| {
                        peers.record("RetractViolation", &r.violation_key);
                        Ok(reputation::RetractViolationResponse::default())
                    })
                    .await
                }
                "GetSeller" => {
                    unary(request, move |r: reputation::GetSellerRequest| {
                        peers.record("GetSeller", &r.seller_id);
                        Ok(reputation::GetSellerResponse {
                            seller: Some(reputation::Seller {
                                seller_id: r.seller_id,
                                display_name: "Shop One".into(),
                                traceability: Some(reputation::SellerTraceability {
                                    legal_name: "Shop One GmbH".into(),
                                    email: "shop@one.example".into(),
                                    ..reputation::SellerTraceability::default()
                                }),
                                ..reputation::Seller::default()
                            }),
                        })
                    })
                    .await
                }
                _ => Status::unimplemented("not faked").into_http(),
            };
            Ok(response)
        })
    }
}

impl NamedService for FakeReputation {
    const NAME: &'static str = "genuine.reputation.v1.SellerReputationService";
}
