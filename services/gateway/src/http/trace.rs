//! One span per request, continuing the caller's W3C trace: the runtime's client interceptor
//! injects the current span's context into every gRPC call, so a regulator request is one trace
//! across the suite.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use genuine_runtime::telemetry::extract_context;
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use tracing::Instrument as _;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Runs the request inside an INFO span `http.server` whose parent is the `traceparent` header's
/// context (a new trace without one), and echoes the trace in a `traceparent` response header.
pub async fn trace(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let span = tracing::info_span!(
        "http.server",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = Empty,
        trace_id = Empty,
    );
    let parent = extract_context(request.headers());
    let _ = span.set_parent(parent.clone());
    let own = span.context();
    let trace_id = [own.span(), parent.span()]
        .into_iter()
        .map(|s| s.span_context().trace_id())
        .find(|id| *id != TraceId::INVALID);
    if let Some(trace_id) = trace_id {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    let record = span.clone();
    async move {
        let mut response = next.run(request).await;
        let status = response.status();
        record.record("http.response.status_code", status.as_u16());
        if status.is_server_error() {
            record.record("otel.status_code", "ERROR");
        }
        let mut headers = http::HeaderMap::new();
        genuine_runtime::telemetry::inject_context(&record.context(), &mut headers);
        if let Some(value) = headers.remove("traceparent") {
            response.headers_mut().insert("traceparent", value);
        }
        response
    }
    .instrument(span)
    .await
}

/// The trace id of the current span, when there is a valid one.
#[must_use]
pub fn current_trace_id() -> Option<String> {
    let context = tracing::Span::current().context();
    let id = context.span().span_context().trace_id();
    (id != TraceId::INVALID).then(|| id.to_string())
}
