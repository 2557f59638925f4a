//! The tonic server every genuine service runs: a service supplies its routes, its hosted service
//! names and a [`HealthProbe`]; this module adds health checking, reflection, one tower stack and
//! graceful shutdown.
//!
//! The stack, outermost first, applied to every route:
//!
//! 1. [`TraceContextLayer`]: W3C parent from the headers, a `grpc.server` span around the call.
//! 2. [`MetricsLayer`]: RED metrics ([`crate::telemetry::RpcMetrics`]).
//! 3. [`AdmissionLayer`]: at most the [`ConcurrencyLimit`] of calls in flight (adaptive, up to
//!    `concurrency_limit`); the next one is answered `RESOURCE_EXHAUSTED` with `RetryInfo` at
//!    once, never queued (health checks are exempt).
//! 4. [`TimeoutLayer`]: `DEADLINE_EXCEEDED` after the smaller of the server timeout and the
//!    caller's `grpc-timeout`.
//! 5. The authentication layer the service passes in (`crate::auth::AuthLayer`).
//!
//! Services do not build it themselves: [`crate::host::Host::run`] does, with the service's
//! routes, access policy and a database health probe.

mod admission;
mod config;
pub(crate) mod drain;
mod health;
mod limit;
mod metrics_layer;
mod probe;
mod rpc_path;
mod server;
mod timeout;
mod tls;
mod trace_layer;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;

pub use admission::{AdmissionLayer, AdmissionService, HEALTH_PATH_PREFIX, RETRY_AFTER};
pub use config::ServingConfig;
pub use limit::{ConcurrencyLimit, LimitConfig, Permit};
pub use metrics_layer::{MetricsLayer, MetricsService};
pub use probe::{AlwaysServing, FnProbe, HealthProbe, probe_fn};
pub use server::{GrpcServer, ServeError, shutdown_on_signals};
pub use timeout::{TimeoutLayer, TimeoutService};
pub use tls::server_tls_config;
pub use trace_layer::{TraceContextLayer, TraceContextService};
