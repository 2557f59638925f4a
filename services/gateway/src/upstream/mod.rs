//! The gRPC clients of the three services and how the gateway calls them.
//!
//! Identity: every call carries the **regulator's own bearer token** (set on the request, which
//! the runtime's interceptor then leaves alone), not the gateway's service token. The services
//! list `regulator` in their access tables for exactly these RPCs and apply jurisdiction and
//! redaction to the principal they see; with the gateway's token (`service:gateway`) they would
//! either refuse or see no jurisdiction. The services verify the token with the same keys, so
//! the gateway cannot widen what a regulator may do — it only narrows it further (scopes, and
//! its own jurisdiction checks where it can make them). The gateway's service token is still
//! attached to calls without a regulator (readiness checks).
//!
//! Every call has the configured deadline and the W3C trace context of the request span, and is
//! retried on `UNAVAILABLE` (all calls are reads or writes with a `request_id`, so idempotent).

mod credentials;
pub mod health;

use std::future::Future;

use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::{
    ClientConfig, RetryPolicy, ServiceChannel, client_tls_config, retry_idempotent, service_channel,
};
use genuine_runtime::config::ServiceSettings;
use tonic::metadata::AsciiMetadataValue;

use crate::http::problem::Problem;

/// Names used in messages and health checks.
pub const LISTING: &str = "listing";
pub const REPUTATION: &str = "reputation";
pub const ENFORCEMENT: &str = "enforcement";

/// Lazily connected clients of the three services, created once.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub listing: ListingServiceClient<ServiceChannel>,
    pub reputation: SellerReputationServiceClient<ServiceChannel>,
    pub enforcement: EnforcementServiceClient<ServiceChannel>,
    channels: [(&'static str, ServiceChannel); 3],
    retry: RetryPolicy,
}

impl Upstreams {
    /// Channels to the peers named in `settings`.
    ///
    /// # Errors
    /// A peer URL that is not a valid endpoint, or no way to authenticate readiness checks.
    pub fn connect(settings: &ServiceSettings) -> anyhow::Result<Self> {
        let credentials = credentials::service_credentials(settings)?;
        // The services' own client TLS (mutual: the gateway presents its certificate too).
        let tls = match &settings.tls {
            Some(files) => Some(client_tls_config(&files.read()?)),
            None => None,
        };
        let channel = |url: &str| -> anyhow::Result<ServiceChannel> {
            let config = ClientConfig::new(url)
                .with_deadline(settings.call_timeout)
                .with_tls(tls.clone());
            service_channel(&config, credentials.clone())
                .map_err(|e| anyhow::anyhow!("gateway: bad peer address {url:?}: {e}"))
        };
        let listing = channel(&settings.peers.listing)?;
        let reputation = channel(&settings.peers.reputation)?;
        let enforcement = channel(&settings.peers.enforcement)?;
        Ok(Self {
            listing: ListingServiceClient::new(listing.clone()),
            reputation: SellerReputationServiceClient::new(reputation.clone()),
            enforcement: EnforcementServiceClient::new(enforcement.clone()),
            channels: [
                (LISTING, listing),
                (REPUTATION, reputation),
                (ENFORCEMENT, enforcement),
            ],
            retry: RetryPolicy::default(),
        })
    }
}

/// Calls `rpc` on a clone of `client` with `message`, acting as the regulator whose
/// `authorization` is given, retrying on `UNAVAILABLE`; a failure becomes problem details
/// naming `upstream`.
///
/// # Errors
/// The service's verdict as problem details.
pub async fn call<C, Req, Resp, F, Fut>(
    upstreams: &Upstreams,
    upstream: &'static str,
    client: &C,
    authorization: &AsciiMetadataValue,
    message: Req,
    rpc: F,
) -> Result<Resp, Problem>
where
    C: Clone,
    Req: Clone,
    F: Fn(C, tonic::Request<Req>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
{
    retry_idempotent(&upstreams.retry, || {
        let mut request = tonic::Request::new(message.clone());
        request
            .metadata_mut()
            .insert("authorization", authorization.clone());
        rpc(client.clone(), request)
    })
    .await
    .map(tonic::Response::into_inner)
    .map_err(|status| Problem::from_status(upstream, &status))
}
