//! The settings every service has: where it listens, its database, how it authenticates, where
//! its peers are, and the serving limits. Service-specific settings live in each service crate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, Scoped, Secret, Source, TlsFiles};
use crate::storage::{StorageConfig, sqlite_url_in};

/// Where the other services answer (gRPC URLs such as `http://127.0.0.1:50052`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerUrls {
    /// `GENUINE_LISTING_URL`, default `http://127.0.0.1:50051`.
    pub listing: String,
    /// `GENUINE_REPUTATION_URL`, default `http://127.0.0.1:50052`.
    pub reputation: String,
    /// `GENUINE_ENFORCEMENT_URL`, default `http://127.0.0.1:50053`.
    pub enforcement: String,
}

/// Settings shared by every service, read for one of them.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// The service's name: `listing`, `reputation`, `enforcement`, `gateway`.
    pub name: &'static str,
    /// `GENUINE_<SVC>_LISTEN_ADDR`: where the server listens.
    pub listen_addr: SocketAddr,
    /// `GENUINE_DATA_DIR`: folder of the embedded SQLite files (default `./data`).
    pub data_dir: PathBuf,
    /// `GENUINE_<SVC>_DATABASE_URL` (+ `_DATABASE_MAX_CONNECTIONS`): the service's own database;
    /// default a SQLite file `<data dir>/<service>.db`.
    pub database: StorageConfig,
    /// `GENUINE_<SVC>_MIGRATE_ON_START` (default true): run migrations before serving.
    pub migrate_on_start: bool,
    /// `GENUINE_AUTH_SECRET`: the HS256 signing secret (required unless a public key is given).
    pub auth_secret: Option<Secret>,
    /// `GENUINE_AUTH_PUBLIC_KEY_FILE`: PEM public key for ES256/RS256 tokens instead of HS256.
    pub auth_public_key_file: Option<PathBuf>,
    /// `GENUINE_AUTH_ALGORITHM` with a public key: `ES256` (default) or `RS256`.
    pub auth_algorithm: String,
    /// `GENUINE_AUTH_ISSUER` (default `genuine`).
    pub auth_issuer: String,
    /// `GENUINE_AUTH_AUDIENCE` (default `genuine`).
    pub auth_audience: String,
    /// `GENUINE_<SVC>_SERVICE_TOKEN`: a ready token for outgoing calls, when this service cannot
    /// mint its own (asymmetric keys).
    pub service_token: Option<Secret>,
    /// Peer URLs.
    pub peers: PeerUrls,
    /// `GENUINE_<SVC>_REQUEST_TIMEOUT` (default 10s).
    pub request_timeout: Duration,
    /// `GENUINE_<SVC>_CONCURRENCY_LIMIT`: in-flight requests before shedding (default 256).
    pub concurrency_limit: usize,
    /// `GENUINE_<SVC>_ADAPTIVE_CONCURRENCY` (default false): below that ceiling, shed earlier
    /// while admitted calls pile up (`crate::serving::ConcurrencyLimit`). Off by default: on a
    /// noisy machine a stall looks like a flood, and at half of CreateListing's capacity it
    /// refused 1–21 % of calls per 10 s round (docs/reliability.md).
    pub adaptive_concurrency: bool,
    /// `GENUINE_<SVC>_MAX_CONCURRENT_STREAMS` per HTTP/2 connection (default 256).
    pub max_concurrent_streams: u32,
    /// `GENUINE_<SVC>_OUTBOX_BACKOFF_CAP`: the longest wait between two delivery attempts of
    /// one outbox message (default 5m). Lower it to catch up sooner after a peer's outage, at
    /// the price of more attempts against a peer that stays down.
    pub outbox_backoff_cap: Duration,
    /// `GENUINE_<SVC>_SHUTDOWN_GRACE`: how long to drain on SIGTERM (default 20s).
    pub shutdown_grace: Duration,
    /// `GENUINE_<SVC>_NOT_SERVING_DELAY`: on SIGTERM, how long health reports NOT_SERVING while
    /// the listener still accepts, so balancers stop sending first (default 0: in Kubernetes the
    /// `preStop` sleep does this before the signal).
    pub not_serving_delay: Duration,
    /// `GENUINE_<SVC>_CALL_TIMEOUT`: deadline of outgoing calls without one of their own (default 5s).
    pub call_timeout: Duration,
    /// `GENUINE_TLS_CERT_FILE`, `_KEY_FILE`, `_CA_FILE`: mutual TLS on the server and on calls to
    /// peers (whose URLs are then `https://`); `None` is plaintext.
    pub tls: Option<TlsFiles>,
    /// `GENUINE_<SVC>_HEALTH_ADDR`: a plaintext listener serving only `grpc.health.v1`, for
    /// probes that cannot present a client certificate (the kubelet's) when TLS is on.
    pub health_addr: Option<SocketAddr>,
}

impl ServiceSettings {
    /// Reads the settings of `name`, whose default port is `default_port`.
    ///
    /// # Errors
    /// The first bad value, naming its variable.
    pub fn load(
        source: &Source,
        name: &'static str,
        default_port: u16,
    ) -> Result<Self, ConfigError> {
        let s = source.scoped(name);
        let data_dir = PathBuf::from(s.string("DATA_DIR", "./data"));
        let database_url = s
            .optional("DATABASE_URL")
            .unwrap_or_else(|| sqlite_url_in(&data_dir, name));
        let mut database = StorageConfig::new(database_url);
        database.max_connections = match s.optional("DATABASE_MAX_CONNECTIONS") {
            Some(_) => Some(s.ranged("DATABASE_MAX_CONNECTIONS", 1_u32, 1..=1024)?),
            None => None,
        };
        let auth_algorithm = s.string("AUTH_ALGORITHM", "ES256").to_ascii_uppercase();
        if !matches!(auth_algorithm.as_str(), "ES256" | "RS256") {
            return Err(ConfigError::new(
                s.variable("AUTH_ALGORITHM"),
                format!("{auth_algorithm:?} is not supported; use ES256 or RS256"),
            ));
        }
        Ok(Self {
            name,
            listen_addr: s.parse(
                "LISTEN_ADDR",
                SocketAddr::from(([127, 0, 0, 1], default_port)),
            )?,
            data_dir,
            database,
            migrate_on_start: s.bool("MIGRATE_ON_START", true)?,
            auth_secret: s.secret("AUTH_SECRET"),
            auth_public_key_file: s.optional("AUTH_PUBLIC_KEY_FILE").map(PathBuf::from),
            auth_algorithm,
            auth_issuer: s.string("AUTH_ISSUER", "genuine"),
            auth_audience: s.string("AUTH_AUDIENCE", "genuine"),
            service_token: s.secret("SERVICE_TOKEN"),
            peers: peers(&s),
            request_timeout: s.duration("REQUEST_TIMEOUT", Duration::from_secs(10))?,
            concurrency_limit: s.ranged("CONCURRENCY_LIMIT", 256_usize, 1..=100_000)?,
            adaptive_concurrency: s.bool("ADAPTIVE_CONCURRENCY", false)?,
            max_concurrent_streams: s.ranged("MAX_CONCURRENT_STREAMS", 256_u32, 1..=100_000)?,
            outbox_backoff_cap: s.duration("OUTBOX_BACKOFF_CAP", Duration::from_secs(300))?,
            shutdown_grace: s.duration("SHUTDOWN_GRACE", Duration::from_secs(20))?,
            not_serving_delay: s.duration("NOT_SERVING_DELAY", Duration::ZERO)?,
            call_timeout: s.duration("CALL_TIMEOUT", Duration::from_secs(5))?,
            tls: TlsFiles::load(&s)?,
            health_addr: match s.optional("HEALTH_ADDR") {
                Some(_) => Some(s.parse("HEALTH_ADDR", SocketAddr::from(([127, 0, 0, 1], 0)))?),
                None => None,
            },
        })
    }

    /// Fails when no way to verify tokens is configured: security is on by default, so a service
    /// never starts open.
    ///
    /// # Errors
    /// Naming `GENUINE_AUTH_SECRET`.
    pub fn require_auth(&self) -> Result<(), ConfigError> {
        if self.auth_secret.is_none() && self.auth_public_key_file.is_none() {
            return Err(ConfigError::new(
                "GENUINE_AUTH_SECRET",
                "required: set a signing secret (or GENUINE_AUTH_PUBLIC_KEY_FILE); `genuine up` creates one for you",
            ));
        }
        Ok(())
    }
}

fn peers(s: &Scoped<'_>) -> PeerUrls {
    PeerUrls {
        listing: s.string("LISTING_URL", "http://127.0.0.1:50051"),
        reputation: s.string("REPUTATION_URL", "http://127.0.0.1:50052"),
        enforcement: s.string("ENFORCEMENT_URL", "http://127.0.0.1:50053"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_suite() {
        let settings =
            ServiceSettings::load(&Source::default(), "listing", 50051).expect("defaults");
        assert_eq!(
            settings.listen_addr,
            "127.0.0.1:50051".parse().expect("addr")
        );
        assert!(
            settings
                .database
                .url
                .starts_with("sqlite://./data/listing.db")
        );
        assert!(settings.require_auth().is_err());
        assert_eq!(settings.peers.reputation, "http://127.0.0.1:50052");
        assert!(!settings.adaptive_concurrency);
        assert_eq!(settings.outbox_backoff_cap, Duration::from_secs(300));
    }

    #[test]
    fn the_outbox_backoff_cap_is_set_for_all_or_one_service() {
        let source = Source::from_map([
            ("GENUINE_OUTBOX_BACKOFF_CAP", "5s"),
            ("GENUINE_LISTING_OUTBOX_BACKOFF_CAP", "1m"),
        ]);
        let listing = ServiceSettings::load(&source, "listing", 50051).expect("valid");
        let reputation = ServiceSettings::load(&source, "reputation", 50052).expect("valid");
        assert_eq!(listing.outbox_backoff_cap, Duration::from_secs(60));
        assert_eq!(reputation.outbox_backoff_cap, Duration::from_secs(5));

        let bad = Source::from_map([("GENUINE_OUTBOX_BACKOFF_CAP", "soon")]);
        let err = ServiceSettings::load(&bad, "listing", 50051).expect_err("bad duration");
        assert_eq!(err.variable, "GENUINE_OUTBOX_BACKOFF_CAP");
    }

    #[test]
    fn service_variables_override_and_bad_ones_are_named() {
        let source = Source::from_map([
            ("GENUINE_AUTH_SECRET", "s3cret"),
            (
                "GENUINE_REPUTATION_DATABASE_URL",
                "postgres://postgres@127.0.0.1/reputation",
            ),
            ("GENUINE_REPUTATION_LISTEN_ADDR", "0.0.0.0:9000"),
        ]);
        let settings = ServiceSettings::load(&source, "reputation", 50052).expect("valid");
        assert_eq!(
            settings.database.url,
            "postgres://postgres@127.0.0.1/reputation"
        );
        assert_eq!(settings.listen_addr.port(), 9000);
        assert!(settings.require_auth().is_ok());
        assert!(!format!("{settings:?}").contains("s3cret"));

        let bad = Source::from_map([("GENUINE_LISTING_LISTEN_ADDR", "nowhere")]);
        let err = ServiceSettings::load(&bad, "listing", 50051).expect_err("bad address");
        assert_eq!(err.variable, "GENUINE_LISTING_LISTEN_ADDR");
    }
}
