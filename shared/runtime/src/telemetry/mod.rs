//! Telemetry: one tracing subscriber per process, OpenTelemetry export over OTLP when an endpoint
//! is configured, W3C trace-context propagation, and the RED metrics every RPC records.
//!
//! Call [`init`] once at the start of `main` (inside the Tokio runtime, because the OTLP exporter
//! is a tonic client) and keep the returned [`TelemetryGuard`] alive until exit: dropping it
//! flushes the last spans and metrics. Calling [`init`] again is harmless, which is what lets
//! `genuine up` start every service in one process and lets tests call [`init_for_tests`] freely.

mod config;
mod init;
mod metrics;
mod otlp;
mod propagation;

pub use config::{LogFormat, TelemetryConfig};
pub use init::{TelemetryGuard, init, init_for_tests};
pub use metrics::RpcMetrics;
pub use propagation::{HeaderExtractor, HeaderInjector, extract_context, inject_context};
