//! The services a scenario needs, started in this process on `127.0.0.1:0` with fresh
//! databases, real migrations and real TCP between them, as `genuine up` runs them.

use std::time::Duration;

use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::config::Source;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint};

use crate::args::BenchArgs;
use crate::database::{Backend, BenchDatabase};
use crate::stub::EnforcementSink;

/// The signing secret of benchmark runs (never a deployment's).
pub const SECRET: &str = "genuine-bench-secret-that-is-long-enough";

/// Lifetime of the tokens a run uses: longer than any run.
const TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

/// A service of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Listing,
    Reputation,
    Enforcement,
}

impl Service {
    fn upper(self) -> &'static str {
        match self {
            Self::Listing => "LISTING",
            Self::Reputation => "REPUTATION",
            Self::Enforcement => "ENFORCEMENT",
        }
    }
}

/// Services being prepared, then running. Dropping it stops them and drops the databases.
pub struct Suite {
    source: Source,
    /// `--set` settings, applied last.
    overrides: Vec<(String, String)>,
    backend: Backend,
    pending: Vec<(Service, TcpListener, BenchDatabase)>,
    running: Vec<(Service, String, BenchDatabase)>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
    issuer: TokenIssuer,
    _data_dir: tempfile::TempDir,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// Creates a database and binds a port for each of `services`, and answers the calls of
    /// every peer not among them with a sink (accepting enforcement's calls, UNIMPLEMENTED for
    /// the others'); nothing serves yet, so callers can seed the databases first. The
    /// services run on `args.postgres_url` (else SQLite); `args.settings` apply at
    /// [`Suite::start`], over whatever the scenario sets.
    ///
    /// # Errors
    /// Ports or databases that cannot be had.
    pub async fn prepare(services: &[Service], args: &BenchArgs) -> anyhow::Result<Self> {
        let postgres_url = args.postgres_url.as_deref();
        let data_dir = tempfile::tempdir()?;
        let mut source =
            Source::from_map([("GENUINE_AUTH_SECRET", SECRET), ("GENUINE_LOG", "error")]);
        source.set("GENUINE_DATA_DIR", data_dir.path().display().to_string());
        let shutdown = CancellationToken::new();
        let sink = TcpListener::bind("127.0.0.1:0").await?;
        let sink_url = format!("http://{}", sink.local_addr()?);
        for peer in [Service::Listing, Service::Reputation, Service::Enforcement] {
            source.set(format!("GENUINE_{}_URL", peer.upper()), sink_url.clone());
        }
        let tasks = vec![crate::stub::serve(EnforcementSink, sink, shutdown.clone())];
        let mut pending = Vec::new();
        let mut backend = Backend::Sqlite;
        for &service in services {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let db = BenchDatabase::create(postgres_url).await?;
            backend = db.backend;
            let upper = service.upper();
            source.set(format!("GENUINE_{upper}_LISTEN_ADDR"), addr.to_string());
            source.set(format!("GENUINE_{upper}_URL"), format!("http://{addr}"));
            source.set(format!("GENUINE_{upper}_DATABASE_URL"), db.url.clone());
            pending.push((service, listener, db));
        }
        Ok(Self {
            source,
            overrides: args.settings.clone(),
            backend,
            pending,
            running: Vec::new(),
            shutdown,
            tasks,
            issuer: TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine")?,
            _data_dir: data_dir,
        })
    }

    /// The services' settings (to migrate a database before seeding it).
    #[must_use]
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Sets a service setting before [`Suite::start`].
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.source.set(key, value);
    }

    /// Which database backend the services run on.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database of `service`.
    ///
    /// # Panics
    /// When the suite was not prepared with `service` (a bug in the scenario).
    #[must_use]
    pub fn database(&self, service: Service) -> &BenchDatabase {
        self.pending
            .iter()
            .map(|(s, _, db)| (s, db))
            .chain(self.running.iter().map(|(s, _, db)| (s, db)))
            .find(|(s, _)| **s == service)
            .map(|(_, db)| db)
            .expect("service prepared")
    }

    /// Starts every prepared service and waits until each reports SERVING.
    ///
    /// # Errors
    /// A service that fails to start or never becomes SERVING.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        let clock = genuine_runtime::clock::system();
        for (key, value) in &self.overrides {
            self.source.set(key, value.clone());
        }
        for (service, listener, db) in std::mem::take(&mut self.pending) {
            let url = format!("http://{}", listener.local_addr()?);
            let (source, clock, stop) = (self.source.clone(), clock.clone(), self.shutdown.clone());
            self.tasks.push(tokio::spawn(async move {
                match service {
                    Service::Listing => {
                        genuine_listing::serve(&source, listener, clock, stop).await
                    }
                    Service::Reputation => {
                        genuine_reputation::serve(&source, listener, clock, stop).await
                    }
                    Service::Enforcement => {
                        genuine_enforcement::serve(&source, listener, clock, stop).await
                    }
                }
            }));
            self.running.push((service, url, db));
        }
        for (service, url, _) in &self.running {
            wait_serving(url, SERVING_WITHIN)
                .await
                .map_err(|e| anyhow::anyhow!("{service:?}: {e}"))?;
        }
        Ok(())
    }

    /// `count` channels to `service`, each its own HTTP/2 connection.
    ///
    /// # Panics
    /// When `service` is not running (a bug in the scenario).
    #[must_use]
    pub fn channels(&self, service: Service, count: usize) -> Vec<Channel> {
        let url = &self
            .running
            .iter()
            .find(|(s, _, _)| *s == service)
            .expect("service running")
            .1;
        (0..count.max(1))
            .map(|_| {
                Endpoint::from_shared(url.clone())
                    .expect("valid url")
                    .connect_lazy()
            })
            .collect()
    }

    /// An admin token: benchmarks act for every seller, which only an admin may.
    ///
    /// # Errors
    /// Minting fails (a bug).
    pub fn admin_token(&self) -> anyhow::Result<String> {
        Ok(self
            .issuer
            .mint(&TokenRequest::new("bench", vec![Role::Admin], TOKEN_TTL))?)
    }

    /// A regulator's token for `jurisdiction` with the gateway scopes `scopes`, as a regulator
    /// portal holds one.
    ///
    /// # Errors
    /// Minting fails (a bug).
    pub fn regulator_token(&self, jurisdiction: &str, scopes: &[&str]) -> anyhow::Result<String> {
        let mut request = TokenRequest::new("bench-regulator", vec![Role::Regulator], TOKEN_TTL);
        request.agency = Some("Bench Market Surveillance".to_owned());
        request.jurisdiction = Some(jurisdiction.to_owned());
        request.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        Ok(self.issuer.mint(&request)?)
    }
}

impl Drop for Suite {
    fn drop(&mut self) {
        self.shutdown.cancel();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// How long a service may take to become SERVING: loading a million hashes on a busy machine
/// takes seconds.
pub(crate) const SERVING_WITHIN: Duration = Duration::from_secs(120);

/// Polls the standard health service until the server reports SERVING (`within` at most).
pub(crate) async fn wait_serving(url: &str, within: Duration) -> anyhow::Result<()> {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if let Ok(channel) = Endpoint::from_shared(url.to_owned())?.connect().await {
            let reply = HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await;
            if reply.is_ok_and(|r| r.get_ref().status == ServingStatus::Serving as i32) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("never became SERVING")
}
