//! What every handler shares: upstream clients, the token check, the rate limiter, the audit
//! sink and the request limits.

use std::sync::Arc;
use std::time::Duration;

use genuine_runtime::clock::SharedClock;

use crate::auth::Authenticator;
use crate::config::GatewayConfig;
use crate::http::admission::Admission;
use crate::http::audit::AuditSink;
use crate::http::rate_limit::RateLimiter;
use crate::upstream::Upstreams;

/// Request limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_json_depth: usize,
    pub request_timeout: Duration,
}

/// The gateway's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    upstreams: Upstreams,
    authenticator: Authenticator,
    limiter: RateLimiter,
    clock: SharedClock,
    audit: AuditSink,
    limits: Limits,
    admission: Admission,
}

impl AppState {
    /// Builds the state from the configuration.
    ///
    /// # Errors
    /// Missing or unreadable keys, bad peer URLs, an audit file that cannot be opened.
    pub fn new(config: &GatewayConfig, clock: SharedClock) -> anyhow::Result<Self> {
        let settings = &config.settings;
        Ok(Self(Arc::new(Inner {
            upstreams: Upstreams::connect(settings)?,
            authenticator: Authenticator::from_settings(settings, config.jwks_file.as_deref())?,
            limiter: RateLimiter::new(config.quotas.clone()),
            clock,
            audit: AuditSink::open(config.audit_file.as_deref())?,
            admission: Admission::new(settings.concurrency_limit),
            limits: Limits {
                max_body_bytes: config.max_body_bytes,
                max_json_depth: config.max_json_depth,
                request_timeout: settings.request_timeout,
            },
        })))
    }

    #[must_use]
    pub fn upstreams(&self) -> &Upstreams {
        &self.0.upstreams
    }

    #[must_use]
    pub fn authenticator(&self) -> &Authenticator {
        &self.0.authenticator
    }

    #[must_use]
    pub fn limiter(&self) -> &RateLimiter {
        &self.0.limiter
    }

    /// The clock access records are stamped with.
    #[must_use]
    pub fn clock(&self) -> &SharedClock {
        &self.0.clock
    }

    #[must_use]
    pub fn audit(&self) -> &AuditSink {
        &self.0.audit
    }

    #[must_use]
    pub fn admission(&self) -> &Admission {
        &self.0.admission
    }

    #[must_use]
    pub fn limits(&self) -> Limits {
        self.0.limits
    }
}
