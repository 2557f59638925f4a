//! A running suite for tests: listing, seller-reputation and enforcement started in-process on
//! `127.0.0.1:0`, each with a fresh database of its own (SQLite, or PostgreSQL when
//! `GENUINE_TEST_POSTGRES_URL` is set), real migrations and real TCP between them.

use std::collections::HashMap;
use std::time::Duration;

use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::storage::testing::TestDatabase;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

/// The signing secret every test suite shares.
const SECRET: &str = "suite-test-secret-that-is-long-enough";

/// One service of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Listing,
    Reputation,
    Enforcement,
}

impl Service {
    pub const ALL: [Self; 3] = [Self::Listing, Self::Reputation, Self::Enforcement];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Listing => genuine_listing::NAME,
            Self::Reputation => genuine_reputation::NAME,
            Self::Enforcement => genuine_enforcement::NAME,
        }
    }
}

/// Settings a test adds to the defaults, e.g. a 3-second counter-notice window.
pub type Overrides = Vec<(String, String)>;

/// A running suite. Dropping it stops every service.
pub struct Suite {
    urls: HashMap<Service, String>,
    source: Source,
    clock: SharedClock,
    databases: HashMap<Service, TestDatabase>,
    _data_dir: tempfile::TempDir,
    tasks: HashMap<Service, (CancellationToken, JoinHandle<anyhow::Result<()>>)>,
    issuer: TokenIssuer,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("urls", &self.urls)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// Starts the three services on PostgreSQL when configured, else SQLite.
    pub async fn start(clock: SharedClock, overrides: Overrides) -> anyhow::Result<Self> {
        let mut listeners = HashMap::new();
        let mut source =
            Source::from_map([("GENUINE_AUTH_SECRET", SECRET), ("GENUINE_LOG", "warn")]);
        let mut databases = HashMap::new();
        // Generated keys (the audit log's) go here, never into the source tree.
        let data_dir = tempfile::tempdir()?;
        source.set("GENUINE_DATA_DIR", data_dir.path().display().to_string());
        for service in Service::ALL {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let upper = service.name().to_ascii_uppercase();
            source.set(format!("GENUINE_{upper}_LISTEN_ADDR"), addr.to_string());
            source.set(format!("GENUINE_{upper}_URL"), format!("http://{addr}"));
            let db = match TestDatabase::postgres().await {
                Some(db) => db,
                None => TestDatabase::sqlite().await,
            };
            source.set(format!("GENUINE_{upper}_DATABASE_URL"), db.url.clone());
            databases.insert(service, db);
            listeners.insert(service, listener);
        }
        for (key, value) in overrides {
            source.set(key, value);
        }
        let issuer = TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine")?;
        let mut suite = Self {
            urls: HashMap::new(),
            source,
            clock,
            databases,
            _data_dir: data_dir,
            tasks: HashMap::new(),
            issuer,
        };
        for (service, listener) in listeners {
            suite
                .urls
                .insert(service, format!("http://{}", listener.local_addr()?));
            suite.spawn(service, listener);
        }
        for service in Service::ALL {
            suite.wait_serving(service).await?;
        }
        Ok(suite)
    }

    fn spawn(&mut self, service: Service, listener: TcpListener) {
        let shutdown = CancellationToken::new();
        let (source, clock, token) = (self.source.clone(), self.clock.clone(), shutdown.clone());
        let task = tokio::spawn(async move {
            match service {
                Service::Listing => genuine_listing::serve(&source, listener, clock, token).await,
                Service::Reputation => {
                    genuine_reputation::serve(&source, listener, clock, token).await
                }
                Service::Enforcement => {
                    genuine_enforcement::serve(&source, listener, clock, token).await
                }
            }
        });
        self.tasks.insert(service, (shutdown, task));
    }

    /// Stops `service` gracefully and starts it again on the same port and database, as a
    /// restart in production would.
    pub async fn restart(&mut self, service: Service) -> anyhow::Result<()> {
        self.stop(service).await?;
        let addr = self.urls[&service].trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind(&addr).await?;
        self.spawn(service, listener);
        self.wait_serving(service).await
    }

    /// Stops `service` and waits for it to finish draining.
    pub async fn stop(&mut self, service: Service) -> anyhow::Result<()> {
        if let Some((shutdown, task)) = self.tasks.remove(&service) {
            shutdown.cancel();
            task.await??;
        }
        Ok(())
    }

    async fn wait_serving(&self, service: Service) -> anyhow::Result<()> {
        use tonic_health_client::check_serving;
        for _ in 0..200 {
            if check_serving(&self.urls[&service]).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("{} never became SERVING", service.name())
    }

    /// The settings the services were started with (secret, peer URLs, data folder), for
    /// starting another process of the suite next to them, e.g. the gateway.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The gRPC URL of `service`.
    pub fn url(&self, service: Service) -> &str {
        &self.urls[&service]
    }

    /// A channel to `service` (connect lazily).
    pub fn channel(&self, service: Service) -> Channel {
        Channel::from_shared(self.urls[&service].clone())
            .expect("valid url")
            .connect_lazy()
    }

    /// The database of `service`, for tests that inspect or tamper with it.
    pub fn database(&self, service: Service) -> &TestDatabase {
        &self.databases[&service]
    }

    /// A token for `subject` acting as `role`.
    pub fn token(&self, role: Role, subject: &str) -> String {
        self.token_with(TokenRequest::new(
            subject,
            vec![role],
            Duration::from_secs(3600),
        ))
    }

    /// A regulator's token for `jurisdiction`.
    pub fn regulator_token(&self, subject: &str, jurisdiction: &str) -> String {
        let mut request =
            TokenRequest::new(subject, vec![Role::Regulator], Duration::from_secs(3600));
        request.agency = Some(format!("{jurisdiction} market surveillance"));
        request.jurisdiction = Some(jurisdiction.to_owned());
        self.token_with(request)
    }

    /// A token as described.
    pub fn token_with(&self, request: TokenRequest) -> String {
        self.issuer.mint(&request).expect("mint")
    }
}

/// `request` carrying `token`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii token"),
    );
    request
}

/// Polls `check` until it returns `Some`, for effects delivered asynchronously by the outbox.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub mod story;

mod tonic_health_client {
    use tonic::transport::Channel;

    /// Whether the server at `url` reports SERVING for the whole server.
    pub async fn check_serving(url: &str) -> bool {
        let Ok(channel) = Channel::from_shared(url.to_owned()) else {
            return false;
        };
        let Ok(channel) = channel.connect().await else {
            return false;
        };
        let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
        let reply = client
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await;
        reply.is_ok_and(|r| {
            r.get_ref().status
                == tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        })
    }
}
