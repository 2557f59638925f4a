//! Typed callers of other services share this: one lazily connected channel per peer, whose
//! calls carry a deadline, the service token and the W3C trace context, plus retries for
//! idempotent calls on `UNAVAILABLE`.
//!
//! ```no_run
//! # use genuine_runtime::clients::{ClientConfig, ServiceCredentials, service_channel};
//! # use genuine_runtime::auth::{ServiceName, TokenIssuer};
//! # fn demo(issuer: TokenIssuer) -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::new("http://127.0.0.1:50052")
//!     .with_deadline(std::time::Duration::from_millis(50));
//! let credentials = ServiceCredentials::for_service(issuer, ServiceName::Listing);
//! let channel = service_channel(&config, credentials)?; // once, at start-up; clone per client
//! // let client = ReputationServiceClient::new(channel.clone());
//! # Ok(()) }
//! ```

mod channel;
mod config;
mod credentials;
mod error;
mod interceptor;
mod propagation;
mod retry;
mod tls;
mod transport;

pub use channel::{ServiceChannel, connect_lazy, service_channel};
pub use config::ClientConfig;
pub use credentials::{DEFAULT_SERVICE_TOKEN_TTL, ServiceCredentials};
pub use error::ClientError;
pub use interceptor::OutgoingInterceptor;
pub use propagation::{MetadataInjector, inject_trace_context};
pub use retry::{RetryPolicy, retry_idempotent};
pub use tls::client_tls_config;
pub use transport::{innermost_cause, is_lost_connection};
