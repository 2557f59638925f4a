//! Third layer: admission control. A fixed number of calls run at once; the rest are refused at
//! once with `RESOURCE_EXHAUSTED`, because queueing under overload only turns it into timeouts.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::{Request, Response};
use tokio::sync::Semaphore;
use tonic::body::Body;
use tower::{Layer, Service};

use super::rpc_path;
use crate::telemetry::RpcMetrics;

/// Calls under this path bypass admission: a saturated server must still answer its probes, or
/// it would be restarted for being busy.
pub const HEALTH_PATH_PREFIX: &str = "/grpc.health.v1.Health/";

/// Holds one permit of a shared semaphore per call until its response headers are ready.
#[derive(Debug, Clone)]
pub struct AdmissionLayer {
    permits: Arc<Semaphore>,
    metrics: RpcMetrics,
}

impl AdmissionLayer {
    /// Admits at most `limit` concurrent calls across all connections (0 refuses all but health).
    pub fn new(limit: usize, metrics: RpcMetrics) -> Self {
        Self::with_semaphore(Arc::new(Semaphore::new(limit)), metrics)
    }

    /// Shares `permits` with the caller, e.g. to log how many calls are still in flight.
    pub fn with_semaphore(permits: Arc<Semaphore>, metrics: RpcMetrics) -> Self {
        Self { permits, metrics }
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = AdmissionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AdmissionService {
            inner,
            permits: self.permits.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The service made by [`AdmissionLayer`].
#[derive(Debug, Clone)]
pub struct AdmissionService<S> {
    inner: S,
    permits: Arc<Semaphore>,
    metrics: RpcMetrics,
}

impl<S, B> Service<Request<B>> for AdmissionService<S>
where
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
        if request.uri().path().starts_with(HEALTH_PATH_PREFIX) {
            return Box::pin(self.inner.call(request));
        }
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let future = self.inner.call(request);
                Box::pin(async move {
                    let result = future.await;
                    drop(permit);
                    result
                })
            }
            Err(_) => {
                let (service, method) = rpc_path::split(request.uri().path());
                self.metrics.record_rejected(service, method);
                tracing::debug!(
                    rpc.service = service,
                    rpc.method = method,
                    "call shed: concurrency limit reached"
                );
                let status = tonic::Status::resource_exhausted(
                    "server is at its concurrency limit; retry with backoff",
                );
                Box::pin(std::future::ready(Ok(status.into_http())))
            }
        }
    }
}
