//! OTLP/gRPC export of traces (batch) and metrics (periodic reader).

use opentelemetry::KeyValue;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

use super::TelemetryConfig;

/// The two SDK providers that own background exporters and must be shut down at exit.
pub(super) struct Providers {
    pub(super) tracer: SdkTracerProvider,
    pub(super) meter: SdkMeterProvider,
}

/// Builds both providers for `endpoint`. Needs a Tokio runtime: the tonic exporters capture it.
pub(super) fn build(
    config: &TelemetryConfig,
    endpoint: &str,
) -> Result<Providers, opentelemetry_otlp::ExporterBuildError> {
    let resource = Resource::builder()
        .with_service_name(config.service_name.clone())
        .with_attribute(KeyValue::new("service.namespace", "genuine"))
        .build();

    let span_exporter = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    // Parent-based: follow the caller's decision so a trace is never half-sampled.
    let ratio = config.trace_sample_ratio.clamp(0.0, 1.0);
    let tracer = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            ratio,
        ))))
        .with_batch_exporter(span_exporter)
        .build();

    let metric_exporter = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    let meter = SdkMeterProvider::builder()
        .with_resource(resource)
        .with_periodic_exporter(metric_exporter)
        .build();

    Ok(Providers { tracer, meter })
}
