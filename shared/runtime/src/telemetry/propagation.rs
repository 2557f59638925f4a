//! W3C trace-context propagation over HTTP/2 headers (gRPC metadata is HTTP headers).
//!
//! Uses the global text-map propagator, which [`super::init`] always sets to
//! `TraceContextPropagator`, so context flows through a service even when it exports nothing.

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::global;
use opentelemetry::propagation::{Extractor, Injector};

/// Reads propagation fields (`traceparent`, `tracestate`) from an [`http::HeaderMap`].
#[derive(Debug)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

/// Writes propagation fields into an [`http::HeaderMap`]; invalid names or values are skipped.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// The remote parent context carried by incoming headers (empty when there is none).
pub fn extract_context(headers: &HeaderMap) -> Context {
    global::get_text_map_propagator(|propagator| propagator.extract(&HeaderExtractor(headers)))
}

/// Adds `cx` to outgoing headers so the callee continues the same trace.
pub fn inject_context(cx: &Context, headers: &mut HeaderMap) {
    global::get_text_map_propagator(|propagator| {
        propagator.inject_context(cx, &mut HeaderInjector(headers));
    });
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };

    use super::*;

    #[test]
    fn inject_then_extract_round_trips_the_trace() {
        super::super::init_for_tests();
        let span_context = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("valid trace id"),
            SpanId::from_hex("00f067aa0ba902b7").expect("valid span id"),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let cx = Context::new().with_remote_span_context(span_context.clone());

        let mut headers = HeaderMap::new();
        inject_context(&cx, &mut headers);
        assert_eq!(
            headers.get("traceparent").map(|v| v.to_str().ok()),
            Some(Some(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            ))
        );

        let extracted = extract_context(&headers);
        let extracted = extracted.span().span_context().clone();
        assert_eq!(extracted.trace_id(), span_context.trace_id());
        assert_eq!(extracted.span_id(), span_context.span_id());
        assert!(extracted.is_remote());
    }

    #[test]
    fn missing_headers_give_an_empty_context() {
        super::super::init_for_tests();
        let cx = extract_context(&HeaderMap::new());
        assert!(!cx.span().span_context().is_valid());
    }
}
