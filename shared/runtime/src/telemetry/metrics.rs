//! RED metrics (rate, errors, duration) per RPC, recorded by the serving stack.
//!
//! | name | instrument | unit | attributes | meaning |
//! |---|---|---|---|---|
//! | `rpc.server.requests` | counter (u64) | `{request}` | `rpc.service`, `rpc.method`, `rpc.grpc.status_code` | finished calls, by gRPC status |
//! | `rpc.server.duration` | histogram (f64) | `s` | `rpc.service`, `rpc.method`, `rpc.grpc.status_code` | time to response headers |
//! | `rpc.server.rejected` | counter (u64) | `{request}` | `rpc.service`, `rpc.method`, `reason` | calls shed before reaching the handler (`reason = "overloaded"`) |
//!
//! Shed calls are counted in both `rpc.server.rejected` and `rpc.server.requests` (with status
//! 8, `RESOURCE_EXHAUSTED`), so error rates stay honest and shedding is visible on its own.

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::global;
use opentelemetry::metrics::{Counter, Histogram};

/// Bucket bounds in seconds: 1 ms .. 30 s, dense where RPCs usually land.
const DURATION_BOUNDARIES: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The RPC instruments, created once per server and cloned cheaply into every connection.
///
/// Instruments come from the meter provider installed at creation time, so build servers after
/// [`super::init`]; before that (or without an OTLP endpoint) they record into a no-op.
#[derive(Clone, Debug)]
pub struct RpcMetrics {
    requests: Counter<u64>,
    duration: Histogram<f64>,
    rejected: Counter<u64>,
}

impl RpcMetrics {
    /// Creates the instruments on `global::meter("genuine")`.
    pub fn new() -> Self {
        let meter = global::meter("genuine");
        Self {
            requests: meter
                .u64_counter("rpc.server.requests")
                .with_description("Finished gRPC calls by service, method and status code")
                .with_unit("{request}")
                .build(),
            duration: meter
                .f64_histogram("rpc.server.duration")
                .with_description("Time from request to response headers")
                .with_unit("s")
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build(),
            rejected: meter
                .u64_counter("rpc.server.rejected")
                .with_description("gRPC calls shed by admission control before the handler ran")
                .with_unit("{request}")
                .build(),
        }
    }

    /// Records one finished call; `status_code` is the numeric gRPC code (0 = OK).
    pub fn record(&self, service: &str, method: &str, status_code: i32, elapsed: Duration) {
        let attributes = [
            KeyValue::new("rpc.service", service.to_owned()),
            KeyValue::new("rpc.method", method.to_owned()),
            KeyValue::new("rpc.grpc.status_code", i64::from(status_code)),
        ];
        self.requests.add(1, &attributes);
        self.duration.record(elapsed.as_secs_f64(), &attributes);
    }

    /// Records one call refused by load shedding.
    pub fn record_rejected(&self, service: &str, method: &str) {
        self.rejected.add(
            1,
            &[
                KeyValue::new("rpc.service", service.to_owned()),
                KeyValue::new("rpc.method", method.to_owned()),
                KeyValue::new("reason", "overloaded"),
            ],
        );
    }
}

impl Default for RpcMetrics {
    fn default() -> Self {
        Self::new()
    }
}
