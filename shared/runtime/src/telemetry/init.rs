//! Installing the process-wide subscriber and OpenTelemetry providers, once.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt};

use super::{LogFormat, TelemetryConfig, otlp};

/// Set by the first [`init`] or [`init_for_tests`]; later calls only reset the propagator.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// How long dropping the guard may wait for the last span batch to reach the collector.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Keeps exporters alive; dropping it flushes and shuts them down. Hold it until `main` returns.
///
/// Only the guard of the first [`init`] owns providers; the ones returned by later calls are
/// empty, so dropping them (e.g. when one embedded service stops) does not stop export for the
/// rest of the process.
#[must_use = "dropping the guard shuts telemetry export down"]
#[derive(Debug, Default)]
pub struct TelemetryGuard {
    tracer: Option<SdkTracerProvider>,
    meter: Option<SdkMeterProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(tracer) = self.tracer.take()
            && let Err(error) = tracer.shutdown_with_timeout(SHUTDOWN_TIMEOUT)
        {
            eprintln!("telemetry: flushing traces failed: {error}");
        }
        if let Some(meter) = self.meter.take()
            && let Err(error) = meter.shutdown()
        {
            eprintln!("telemetry: flushing metrics failed: {error}");
        }
    }
}

/// Installs logging, tracing and (with an OTLP endpoint) trace and metric export.
///
/// Call it inside the Tokio runtime: the OTLP exporters are tonic clients. Never panics; a bad
/// filter falls back to `info` and an exporter that cannot be built is skipped, with a warning
/// logged either way. The second and later calls in a process return an empty guard.
pub fn init(config: &TelemetryConfig) -> TelemetryGuard {
    install_propagator();
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return TelemetryGuard::default();
    }

    let (subscriber, guard, mut warnings) = assemble(config, std::io::stdout);
    if let Some(tracer) = &guard.tracer {
        global::set_tracer_provider(tracer.clone());
    }
    if let Some(meter) = &guard.meter {
        global::set_meter_provider(meter.clone());
    }
    if let Err(error) = subscriber.try_init() {
        warnings.push(format!(
            "another tracing subscriber is already installed; keeping it ({error})"
        ));
    }
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        service = %config.service_name,
        log_format = %config.log_format,
        otlp_endpoint = config.otlp_endpoint.as_deref().unwrap_or("none"),
        "telemetry initialised"
    );

    guard
}

/// Builds the subscriber and providers without installing anything global, writing logs to
/// `writer`; returns the problems to log once a subscriber is in place.
fn assemble<W>(
    config: &TelemetryConfig,
    writer: W,
) -> (
    impl tracing::Subscriber + Send + Sync + 'static,
    TelemetryGuard,
    Vec<String>,
)
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let mut warnings = Vec::new();
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|error| {
        warnings.push(format!(
            "invalid log filter `{}` ({error}); using `info`",
            config.log_filter
        ));
        EnvFilter::new("info")
    });

    let mut exporters = None;
    if let Some(endpoint) = &config.otlp_endpoint {
        if tokio::runtime::Handle::try_current().is_err() {
            warnings.push(format!(
                "OTLP endpoint {endpoint} ignored: telemetry::init must run inside a Tokio runtime"
            ));
        } else {
            match otlp::build(config, endpoint) {
                Ok(providers) => exporters = Some(providers),
                Err(error) => warnings.push(format!(
                    "OTLP export to {endpoint} disabled: cannot build exporter: {error}"
                )),
            }
        }
    }

    // Without an exporter the tracer provider still creates span contexts, so a service relays
    // the W3C trace context to its callees even when it exports nothing itself.
    let (tracer_provider, meter_provider) = match exporters {
        Some(providers) => (providers.tracer, Some(providers.meter)),
        None => (local_tracer_provider(config.trace_sample_ratio), None),
    };

    let otel_layer = tracing_opentelemetry::layer()
        .with_tracer(tracer_provider.tracer("genuine"))
        .boxed();
    let subscriber = tracing_subscriber::registry()
        .with(vec![fmt_layer(config.log_format, writer), otel_layer])
        .with(filter);
    let guard = TelemetryGuard {
        tracer: Some(tracer_provider),
        meter: meter_provider,
    };
    (subscriber, guard, warnings)
}

/// For tests: logs go to a sink unless `TEST_LOG` is set, then to the test writer filtered by
/// `RUST_LOG` (default `debug`). Safe to call from every test.
pub fn init_for_tests() {
    install_propagator();
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let tracer_provider = local_tracer_provider(1.0);
    global::set_tracer_provider(tracer_provider.clone());
    let otel_layer = tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("genuine"));

    let registry = tracing_subscriber::registry().with(otel_layer);
    // `try_init` fails only if a subscriber exists already, which is fine for tests.
    let _ = if std::env::var_os("TEST_LOG").is_some() {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("debug"));
        registry
            .with(fmt::layer().compact().with_test_writer())
            .with(filter)
            .try_init()
    } else {
        registry
            .with(fmt::layer().with_writer(std::io::sink))
            .with(EnvFilter::new("info"))
            .try_init()
    };
}

/// W3C trace context is always the propagator, exporter or not.
fn install_propagator() {
    global::set_text_map_propagator(TraceContextPropagator::new());
}

/// A provider with no exporter: spans get real ids (for propagation and log correlation) and
/// are dropped when they end.
fn local_tracer_provider(sample_ratio: f64) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            sample_ratio.clamp(0.0, 1.0),
        ))))
        .build()
}

/// Compact lines on a terminal; JSON lines (with the span list, which carries `trace_id` inside
/// RPCs) in production.
fn fmt_layer<W>(format: LogFormat, writer: W) -> Box<dyn Layer<Registry> + Send + Sync>
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    match format {
        LogFormat::Pretty => fmt::layer()
            .compact()
            .with_ansi(std::io::stdout().is_terminal())
            .with_writer(writer)
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .with_writer(writer)
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .boxed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_twice_does_not_panic() {
        init_for_tests();
        let config = TelemetryConfig {
            log_filter: "not a [valid filter".to_owned(),
            otlp_endpoint: Some("http://127.0.0.1:4317".to_owned()),
            ..TelemetryConfig::default()
        };
        let first = init(&config);
        let second = init(&TelemetryConfig::default());
        drop(second);
        drop(first);
    }

    /// A `MakeWriter` that collects everything written, to inspect log lines.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> fmt::MakeWriter<'w> for Captured {
        type Writer = Self;

        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn json_lines_with_otlp_export_carry_span_fields() {
        let config = TelemetryConfig {
            service_name: "telemetry-test".to_owned(),
            log_format: LogFormat::Json,
            log_filter: "not a [valid filter".to_owned(),
            // Nothing listens there; exporters connect lazily, so building must still work.
            otlp_endpoint: Some("http://127.0.0.1:9".to_owned()),
            trace_sample_ratio: 0.0,
        };
        let captured = Captured::default();
        let (subscriber, guard, warnings) = assemble(&config, captured.clone());
        assert!(
            guard.tracer.is_some() && guard.meter.is_some(),
            "{warnings:?}"
        );
        assert_eq!(warnings.len(), 1, "only the bad filter: {warnings:?}");

        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("grpc.server", trace_id = "abc123");
            span.in_scope(|| tracing::info!(answer = 42, "inside"));
        });
        drop(guard);

        let output = String::from_utf8(captured.0.lock().expect("not poisoned").clone())
            .expect("utf-8 logs");
        let line: serde_json::Value =
            serde_json::from_str(output.lines().next().expect("one line")).expect("json line");
        assert_eq!(line["message"], "inside");
        assert_eq!(line["answer"], 42);
        assert_eq!(line["spans"][0]["trace_id"], "abc123");
    }
}
