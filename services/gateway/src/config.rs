//! The gateway's configuration: the settings every service has (listen address, auth keys,
//! peers, timeouts) plus its own, each from a `GENUINE_GATEWAY_*` variable.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `GENUINE_GATEWAY_LISTEN_ADDR` | `127.0.0.1:8080` | HTTP listen address |
//! | `GENUINE_GATEWAY_JWKS_FILE` | — | JWKS (RFC 7517) file of regulator token keys; replaces the secret/public key |
//! | `GENUINE_GATEWAY_MAX_BODY_BYTES` | `65536` | larger request bodies get 413 |
//! | `GENUINE_GATEWAY_MAX_JSON_DEPTH` | `16` | deeper JSON nesting gets 400 |
//! | `GENUINE_GATEWAY_REQUEST_TIMEOUT` | `10s` | a request taking longer gets 504 |
//! | `GENUINE_GATEWAY_CALL_TIMEOUT` | `5s` | deadline of each gRPC call |
//! | `GENUINE_GATEWAY_SHUTDOWN_GRACE` | `20s` | how long in-flight requests may finish on shutdown |
//! | `GENUINE_GATEWAY_CONCURRENCY_LIMIT` | `256` | requests in flight before 503 (probes exempt) |
//! | `GENUINE_GATEWAY_RATE_LIMIT` | `300/1m` | requests per principal and scope: `N/period`, burst N |
//! | `GENUINE_GATEWAY_RATE_LIMIT_<SCOPE>` | the above | per scope, e.g. `..._RATE_LIMIT_CASES_READ=600/1m` |
//! | `GENUINE_GATEWAY_AUDIT_FILE` | — | also append access-audit records (JSON lines) to this file |

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use genuine_runtime::config::{ConfigError, Scoped, ServiceSettings, Source};

use crate::auth::Scope;
use crate::http::rate_limit::Quota;
use crate::{DEFAULT_PORT, NAME};

/// Everything the gateway reads at start.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Listen address, auth keys, peer URLs, timeouts.
    pub settings: ServiceSettings,
    /// `GENUINE_GATEWAY_JWKS_FILE`.
    pub jwks_file: Option<PathBuf>,
    /// `GENUINE_GATEWAY_MAX_BODY_BYTES`.
    pub max_body_bytes: usize,
    /// `GENUINE_GATEWAY_MAX_JSON_DEPTH`.
    pub max_json_depth: usize,
    /// Rate per scope.
    pub quotas: HashMap<Scope, Quota>,
    /// `GENUINE_GATEWAY_AUDIT_FILE`.
    pub audit_file: Option<PathBuf>,
}

impl GatewayConfig {
    /// Reads the configuration from `source`.
    ///
    /// # Errors
    /// The first bad value, naming its variable.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let settings = ServiceSettings::load(source, NAME, DEFAULT_PORT)?;
        let s = source.scoped(NAME);
        let default_quota = quota(&s, "RATE_LIMIT", Quota::per(300, Duration::from_secs(60)))?;
        let mut quotas = HashMap::new();
        for scope in Scope::ALL {
            let key = format!("RATE_LIMIT_{}", scope.config_key());
            quotas.insert(scope, quota(&s, &key, default_quota)?);
        }
        Ok(Self {
            settings,
            jwks_file: s.optional("JWKS_FILE").map(PathBuf::from),
            max_body_bytes: s.ranged("MAX_BODY_BYTES", 64 * 1024, 1..=16 * 1024 * 1024)?,
            max_json_depth: s.ranged("MAX_JSON_DEPTH", 16, 1..=128)?,
            quotas,
            audit_file: s.optional("AUDIT_FILE").map(PathBuf::from),
        })
    }
}

/// Reads `N/period` (e.g. `300/1m`) with the service-specific then suite-wide variable.
fn quota(s: &Scoped<'_>, key: &str, default: Quota) -> Result<Quota, ConfigError> {
    let Some(raw) = s.optional(key) else {
        return Ok(default);
    };
    let bad =
        |why: &str| ConfigError::new(s.variable(key), format!("{raw:?}: {why}; use e.g. 300/1m"));
    let (count, period) = raw
        .split_once('/')
        .ok_or_else(|| bad("expected N/period"))?;
    let count: u32 = count
        .trim()
        .parse()
        .map_err(|_| bad("N is not a whole number"))?;
    let period = humantime::parse_duration(period.trim()).map_err(|_| bad("bad period"))?;
    if count == 0 || period.is_zero() {
        return Err(bad("N and period must be positive"));
    }
    Ok(Quota::per(count, period))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_per_scope_overrides() {
        let source = Source::from_map([
            ("GENUINE_GATEWAY_RATE_LIMIT", "10/1s"),
            ("GENUINE_GATEWAY_RATE_LIMIT_CASES_READ", "2/1m"),
        ]);
        let config = GatewayConfig::load(&source).expect("valid");
        assert_eq!(config.settings.listen_addr.port(), DEFAULT_PORT);
        assert_eq!(
            config.quotas[&Scope::CasesRead],
            Quota::per(2, Duration::from_secs(60))
        );
        assert_eq!(
            config.quotas[&Scope::AuditRead],
            Quota::per(10, Duration::from_secs(1))
        );
        assert_eq!(config.max_json_depth, 16);
    }

    #[test]
    fn bad_rates_name_the_variable() {
        for bad in ["ten/1s", "10", "0/1s", "5/forever"] {
            let source = Source::from_map([("GENUINE_GATEWAY_RATE_LIMIT_AUDIT_READ", bad)]);
            let err = GatewayConfig::load(&source).expect_err(bad);
            assert_eq!(
                err.variable, "GENUINE_GATEWAY_RATE_LIMIT_AUDIT_READ",
                "{bad}"
            );
        }
    }
}
