//! One channel per peer, created at start-up and cloned into every client.

use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use super::config::ClientConfig;
use super::credentials::ServiceCredentials;
use super::error::ClientError;
use super::interceptor::OutgoingInterceptor;

/// A channel whose every call carries the service token, a deadline and the trace context.
/// Generated clients take it directly: `ListingServiceClient::new(channel.clone())`.
pub type ServiceChannel = InterceptedService<Channel, OutgoingInterceptor>;

/// Streams given up recently whose late frames are ignored quietly.
const CANCELLED_STREAMS_REMEMBERED: usize = 1_024;

/// A channel that connects on first use (and reconnects by itself), so a service starts even
/// when a peer is not up yet; calls fail with `UNAVAILABLE` meanwhile. Create it once and clone
/// it: clones share the connection.
pub fn connect_lazy(config: &ClientConfig) -> Result<Channel, ClientError> {
    let endpoint = Endpoint::from_shared(config.endpoint.clone())
        .map_err(|source| ClientError::InvalidEndpoint {
            endpoint: config.endpoint.clone(),
            source,
        })?
        .connect_timeout(config.connect_timeout)
        .tcp_nodelay(true)
        // A call given up at its deadline resets its stream; the answer's frames may still
        // arrive. h2 remembers 50 reset streams for a second and resets again for any other,
        // counting those resets for the connection's life: after 1,024 it closes the
        // connection, failing every call on it. A service with 50 ms deadlines gets there
        // within minutes of load. The peer is one of ours (authenticated, TLS in production),
        // so remember more and drop the count.
        .http2_max_concurrent_reset_streams(CANCELLED_STREAMS_REMEMBERED)
        .http2_max_local_error_reset_streams(None);
    let endpoint = match &config.tls {
        // tonic only uses TLS for https URIs: refuse rather than call a TLS peer in plaintext.
        Some(_) if endpoint.uri().scheme_str() != Some("https") => {
            return Err(ClientError::PlaintextWithTls {
                endpoint: config.endpoint.clone(),
            });
        }
        Some(tls) => {
            endpoint
                .tls_config(tls.clone())
                .map_err(|source| ClientError::InvalidTls {
                    endpoint: config.endpoint.clone(),
                    source,
                })?
        }
        None => endpoint,
    };
    Ok(endpoint.connect_lazy())
}

/// [`connect_lazy`] plus the [`OutgoingInterceptor`] with `credentials` and the config's deadline.
pub fn service_channel(
    config: &ClientConfig,
    credentials: ServiceCredentials,
) -> Result<ServiceChannel, ClientError> {
    let channel = connect_lazy(config)?;
    Ok(InterceptedService::new(
        channel,
        OutgoingInterceptor::new(credentials, config.deadline),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_channel_is_built_without_the_peer_running() {
        // Port 9 (discard) on loopback: nothing listens, and nothing is dialled yet.
        let config = ClientConfig::new("http://127.0.0.1:9");
        assert!(connect_lazy(&config).is_ok());
        let creds = ServiceCredentials::static_token("t").expect("token");
        assert!(service_channel(&config, creds).is_ok());
    }

    #[test]
    fn a_bad_endpoint_is_refused_at_start() {
        let err = connect_lazy(&ClientConfig::new("not a uri")).expect_err("bad endpoint");
        assert!(err.to_string().contains("not a uri"), "{err}");
    }
}
