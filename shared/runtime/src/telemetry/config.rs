//! What a process decides about its telemetry; filled in by the config module.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How log lines are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Compact, human-readable lines for a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors in production.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pretty" | "text" | "compact" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown log format `{other}` (expected `pretty` or `json`)"
            )),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pretty => "pretty",
            Self::Json => "json",
        })
    }
}

/// Telemetry settings of one process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TelemetryConfig {
    /// `service.name` resource attribute of exported spans and metrics.
    pub service_name: String,
    /// Pretty locally, JSON in production.
    pub log_format: LogFormat,
    /// `tracing_subscriber::EnvFilter` directives, e.g. `info,genuine_runtime=debug`.
    pub log_filter: String,
    /// OTLP/gRPC collector endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://otel:4317`.
    /// Nothing is exported when `None`; propagation still works.
    pub otlp_endpoint: Option<String>,
    /// Fraction of new root traces that are sampled (0.0 ..= 1.0); a sampled incoming parent is
    /// always followed, so one request stays one complete trace across services.
    pub trace_sample_ratio: f64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            service_name: "genuine".to_owned(),
            log_format: LogFormat::Pretty,
            log_filter: "info".to_owned(),
            otlp_endpoint: None,
            trace_sample_ratio: 1.0,
        }
    }
}

impl TelemetryConfig {
    /// Reads `GENUINE_LOG_FORMAT` (pretty|json), `GENUINE_LOG` (filter, default info),
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_TRACES_SAMPLER_ARG` (ratio, default 1.0).
    ///
    /// # Errors
    /// A bad format or ratio, naming the variable.
    pub fn load(
        source: &crate::config::Source,
        service_name: &str,
    ) -> Result<Self, crate::config::ConfigError> {
        let suite = source.suite();
        let trace_sample_ratio = match source.get("OTEL_TRACES_SAMPLER_ARG") {
            Some(raw) => raw
                .trim()
                .parse()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| {
                    crate::config::ConfigError::new(
                        "OTEL_TRACES_SAMPLER_ARG",
                        format!("{raw:?} is not a ratio between 0 and 1"),
                    )
                })?,
            None => 1.0,
        };
        Ok(Self {
            service_name: service_name.to_owned(),
            log_format: suite.parse("LOG_FORMAT", LogFormat::Pretty)?,
            log_filter: suite.string("LOG", "info"),
            otlp_endpoint: source
                .get("OTEL_EXPORTER_OTLP_ENDPOINT")
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
            trace_sample_ratio,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_parses_case_insensitively() {
        assert_eq!("JSON".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("pretty".parse::<LogFormat>(), Ok(LogFormat::Pretty));
        assert!("xml".parse::<LogFormat>().is_err());
    }

    #[test]
    fn loads_from_a_source_and_names_bad_values() {
        use crate::config::Source;
        let source = Source::from_map([
            ("GENUINE_LOG_FORMAT", "json"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
        ]);
        let config = TelemetryConfig::load(&source, "listing").expect("valid");
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(
            config.otlp_endpoint.as_deref(),
            Some("http://collector:4317")
        );
        let bad = Source::from_map([("OTEL_TRACES_SAMPLER_ARG", "2")]);
        let err = TelemetryConfig::load(&bad, "listing").expect_err("ratio above 1");
        assert_eq!(err.variable, "OTEL_TRACES_SAMPLER_ARG");
    }
}
