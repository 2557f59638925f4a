//! Third layer: admission control. Calls beyond the [`ConcurrencyLimit`] are refused at once
//! with `RESOURCE_EXHAUSTED` and a `RetryInfo` delay, because queueing under overload only turns
//! it into timeouts. The limit adapts to latency (see [`super::limit`]) unless configured fixed.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http::{Request, Response};
use tonic::body::Body;
use tower::{Layer, Service};

use super::drain::drain;
use super::limit::ConcurrencyLimit;
use super::rpc_path;
use crate::errors::ServiceError;
use crate::telemetry::RpcMetrics;

/// Calls under this path bypass admission: a saturated server must still answer its probes, or
/// it would be restarted for being busy.
pub const HEALTH_PATH_PREFIX: &str = "/grpc.health.v1.Health/";

/// The `RetryInfo` delay of a refusal: long enough for the calls in flight to finish (they
/// take milliseconds when the limit holds), short enough not to idle a recovered server.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Holds one place of a shared [`ConcurrencyLimit`] per call until its response headers are
/// ready, and reports the call's latency to it.
#[derive(Debug, Clone)]
pub struct AdmissionLayer {
    limit: Arc<ConcurrencyLimit>,
    metrics: RpcMetrics,
}

impl AdmissionLayer {
    /// Admits at most `limit` concurrent calls across all connections (0 refuses all but health).
    pub fn new(limit: usize, metrics: RpcMetrics) -> Self {
        Self::with_limit(ConcurrencyLimit::fixed(limit), metrics)
    }

    /// Shares `limit` with the caller, e.g. to log how many calls are still in flight.
    pub fn with_limit(limit: Arc<ConcurrencyLimit>, metrics: RpcMetrics) -> Self {
        Self { limit, metrics }
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = AdmissionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AdmissionService {
            inner,
            limit: Arc::clone(&self.limit),
            metrics: self.metrics.clone(),
        }
    }
}

/// The service made by [`AdmissionLayer`].
#[derive(Debug, Clone)]
pub struct AdmissionService<S> {
    inner: S,
    limit: Arc<ConcurrencyLimit>,
    metrics: RpcMetrics,
}

impl<S, B> Service<Request<B>> for AdmissionService<S>
where
    B: http_body::Body + Unpin + Send + 'static,
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let path = request.uri().path();
        if path.starts_with(HEALTH_PATH_PREFIX) {
            return Box::pin(self.inner.call(request));
        }
        if let Some(permit) = self.limit.try_acquire(path) {
            let future = self.inner.call(request);
            return Box::pin(async move {
                let result = future.await;
                permit.answered();
                result
            });
        }
        let (service, method) = rpc_path::split(path);
        self.metrics.record_rejected(service, method);
        tracing::debug!(
            rpc.service = service,
            rpc.method = method,
            limit = self.limit.current(),
            "call shed: concurrency limit reached"
        );
        let status: tonic::Status = ServiceError::resource_exhausted(
            "server is at its concurrency limit; retry with backoff",
            Some(RETRY_AFTER),
        )
        .into();
        // Read first: answering an unread request costs the connection (see `drain`).
        let body = request.into_body();
        Box::pin(async move {
            drain(body).await;
            Ok(status.into_http())
        })
    }
}
