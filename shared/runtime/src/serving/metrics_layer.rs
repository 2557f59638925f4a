//! Second layer: RED metrics per RPC.

use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use http::{Request, Response};
use tonic::body::Body;
use tower::{Layer, Service};

use super::rpc_path;
use crate::telemetry::RpcMetrics;

/// gRPC `UNKNOWN`, recorded when the inner service fails instead of answering with a status.
const UNKNOWN: i32 = 2;

/// Records count and duration (to response headers) of every call, by status code.
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: RpcMetrics,
}

impl MetricsLayer {
    /// Records into `metrics` (instruments are shared, not created per call).
    pub fn new(metrics: RpcMetrics) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service made by [`MetricsLayer`].
#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: RpcMetrics,
}

impl<S, B> Service<Request<B>> for MetricsService<S>
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
        let (service, method) = rpc_path::split(request.uri().path());
        let (service, method) = (service.to_owned(), method.to_owned());
        let metrics = self.metrics.clone();
        let started = Instant::now();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = future.await;
            let code = match &result {
                Ok(response) => rpc_path::status_code(response),
                Err(_) => UNKNOWN,
            };
            metrics.record(&service, &method, code, started.elapsed());
            result
        })
    }
}
