//! Serving settings with production defaults; the config module fills them from the environment.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// How one gRPC server listens, admits, times out and shuts down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServingConfig {
    /// Where to listen; used by callers that bind the listener from the config.
    pub listen_addr: SocketAddr,
    /// Longest a call may take to produce its response headers; a smaller client `grpc-timeout`
    /// wins.
    pub request_timeout: Duration,
    /// Calls in flight at once (health checks not counted); beyond it calls are refused with
    /// `RESOURCE_EXHAUSTED` instead of queueing, so a slow database cannot pile up work. With
    /// `adaptive_concurrency` it is the ceiling of a limit that follows latency.
    pub concurrency_limit: usize,
    /// Lower the limit while admitted calls queue (answers much slower than their method's
    /// unloaded latency) and raise it back when they do not: see [`super::limit`].
    pub adaptive_concurrency: bool,
    /// HTTP/2 streams per connection.
    pub max_concurrent_streams: u32,
    /// How long in-flight calls may take to finish after shutdown starts before the server gives up.
    pub shutdown_grace: Duration,
    /// Pause between reporting NOT_SERVING and closing the listener, so load balancers and
    /// readiness probes notice before connections are refused (0 locally; a few seconds in k8s).
    pub not_serving_delay: Duration,
    /// How often the [`super::HealthProbe`] runs; also how long one probe may take before it
    /// counts as failed.
    pub health_poll_interval: Duration,
}

impl Default for ServingConfig {
    fn default() -> Self {
        Self {
            listen_addr: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 50051)),
            request_timeout: Duration::from_secs(10),
            concurrency_limit: 256,
            adaptive_concurrency: true,
            max_concurrent_streams: 256,
            shutdown_grace: Duration::from_secs(20),
            not_serving_delay: Duration::ZERO,
            health_poll_interval: Duration::from_secs(2),
        }
    }
}
