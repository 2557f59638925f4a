//! First layer: continue the caller's trace and wrap the call in a `grpc.server` span.

use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::{Request, Response};
use opentelemetry::trace::TraceContextExt;
use tonic::body::Body;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::rpc_path;
use crate::telemetry::extract_context;

/// Extracts the W3C parent from the request headers and runs the call inside an INFO span
/// `grpc.server` (`otel.kind = server`) carrying `rpc.service`, `rpc.method`,
/// `rpc.grpc.status_code` and `trace_id`, so every log line of the call names its trace.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContextLayer;

impl<S> Layer<S> for TraceContextLayer {
    type Service = TraceContextService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TraceContextService { inner }
    }
}

/// The service made by [`TraceContextLayer`].
#[derive(Debug, Clone)]
pub struct TraceContextService<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for TraceContextService<S>
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
        let span = tracing::info_span!(
            "grpc.server",
            otel.name = %format_args!("{service}/{method}"),
            otel.kind = "server",
            otel.status_code = Empty,
            rpc.system = "grpc",
            rpc.service = %service,
            rpc.method = %method,
            rpc.grpc.status_code = Empty,
            trace_id = Empty,
        );

        // The parent must be set before the span is first entered or its context read.
        let parent = extract_context(request.headers());
        let _ = span.set_parent(parent.clone());
        // With the OpenTelemetry layer the span's own context holds the (inherited or new) trace
        // id; without it fall back to the caller's.
        let own = span.context();
        let trace_id = [own.span(), parent.span()]
            .into_iter()
            .map(|otel_span| otel_span.span_context().trace_id())
            .find(|id| *id != opentelemetry::trace::TraceId::INVALID);
        if let Some(trace_id) = trace_id {
            span.record("trace_id", tracing::field::display(trace_id));
        }

        let future = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        let record_span = span.clone();
        Box::pin(
            async move {
                let result = future.await;
                if let Ok(response) = &result {
                    let code = rpc_path::status_code(response);
                    record_span.record("rpc.grpc.status_code", code);
                    if code != 0 {
                        record_span.record("otel.status_code", "ERROR");
                    }
                }
                result
            }
            .instrument(span),
        )
    }
}
