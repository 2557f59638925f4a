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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_parses_case_insensitively() {
        assert_eq!("JSON".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("pretty".parse::<LogFormat>(), Ok(LogFormat::Pretty));
        assert!("xml".parse::<LogFormat>().is_err());
    }
}
