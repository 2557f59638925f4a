//! A running suite for tests: listing, seller-reputation and enforcement started in-process on
//! `127.0.0.1:0`, each with a fresh database of its own (SQLite, or PostgreSQL when
//! `GENUINE_TEST_POSTGRES_URL` is set), real migrations and real TCP between them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use genuine_runtime::auth::{Role, TokenRequest};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::storage::testing::TestDatabase;
use genuine_runtime::testing::{Launch, ServiceUnderTest};
use tokio::net::TcpListener;
use tonic::transport::Channel;

pub use genuine_runtime::testing::authed;

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

    /// Who may call which of its RPCs.
    pub fn access_policy(self) -> genuine_runtime::auth::AccessPolicy {
        match self {
            Self::Listing => genuine_listing::api::access_policy(),
            Self::Reputation => genuine_reputation::api::access_policy(),
            Self::Enforcement => genuine_enforcement::api::access_policy(),
        }
    }

    /// How to start it in-process.
    fn launch(self) -> Launch {
        match self {
            Self::Listing => ServiceUnderTest::launch(self.name(), |s, l, c, t| async move {
                genuine_listing::serve(&s, l, c, t).await
            }),
            Self::Reputation => ServiceUnderTest::launch(self.name(), |s, l, c, t| async move {
                genuine_reputation::serve(&s, l, c, t).await
            }),
            Self::Enforcement => ServiceUnderTest::launch(self.name(), |s, l, c, t| async move {
                genuine_enforcement::serve(&s, l, c, t).await
            }),
        }
    }
}

/// Settings a test adds to the defaults, e.g. a 3-second counter-notice window.
pub type Overrides = Vec<(String, String)>;

/// A running suite. Dropping it stops every service.
pub struct Suite {
    /// Second instances on the same databases, once [`Suite::start_replicas`] ran. Declared
    /// first so they stop before the first instances drop the databases.
    replicas: HashMap<Service, ServiceUnderTest>,
    services: HashMap<Service, ServiceUnderTest>,
    /// Spreads [`Suite::channel`] over both instances when replicas run.
    next_instance: AtomicUsize,
    settings: Overrides,
    clock: SharedClock,
    source: Source,
    _data_dir: tempfile::TempDir,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// Starts the three services on PostgreSQL when configured, else SQLite.
    pub async fn start(clock: SharedClock, overrides: Overrides) -> anyhow::Result<Self> {
        // One data folder for the suite, as on a host running all three.
        let data_dir = tempfile::tempdir()?;
        let mut settings = vec![
            ("GENUINE_LOG".to_owned(), "warn".to_owned()),
            (
                "GENUINE_DATA_DIR".to_owned(),
                data_dir.path().display().to_string(),
            ),
            // The flows here expect a seller's real standing: on a loaded CI machine a debug
            // build can miss the production 50 ms, which holds a clean listing as
            // STANDING_UNAVAILABLE. Tests of the degraded path override it or stop reputation.
            (
                "GENUINE_LISTING_STANDING_DEADLINE".to_owned(),
                "5s".to_owned(),
            ),
        ];
        let mut listeners = Vec::new();
        for service in Service::ALL {
            // Bound first: every service is told every peer's URL before any starts.
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let upper = service.name().to_ascii_uppercase();
            settings.push((format!("GENUINE_{upper}_LISTEN_ADDR"), addr.to_string()));
            settings.push((format!("GENUINE_{upper}_URL"), format!("http://{addr}")));
            listeners.push((service, listener));
        }
        settings.extend(overrides);
        let mut services = HashMap::new();
        for (service, listener) in listeners {
            let started = service
                .launch()
                .clock(clock.clone())
                .listener(listener)
                .settings(settings.clone())
                .spawn()
                .await?;
            services.insert(service, started);
        }
        for service in Service::ALL {
            if let Some(started) = services.get_mut(&service) {
                started.wait_serving().await?;
            }
        }
        let mut source = Source::from_map(settings.clone());
        source.set("GENUINE_AUTH_SECRET", genuine_runtime::testing::SECRET);
        Ok(Self {
            replicas: HashMap::new(),
            services,
            next_instance: AtomicUsize::new(0),
            settings,
            clock,
            source,
            _data_dir: data_dir,
        })
    }

    /// Starts a second instance of every service on the same databases, as a second replica
    /// set in production: the second instances call each other (so their outbox deliveries
    /// arrive at the second listing and reputation), while both dispatchers of a service claim
    /// from one outbox table. From then on [`Suite::channel`] and the clients built on it
    /// alternate between the two instances of a service.
    pub async fn start_replicas(&mut self) -> anyhow::Result<()> {
        let mut settings = self.settings.clone();
        let mut listeners = Vec::new();
        for service in Service::ALL {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let upper = service.name().to_ascii_uppercase();
            settings.push((format!("GENUINE_{upper}_LISTEN_ADDR"), addr.to_string()));
            settings.push((format!("GENUINE_{upper}_URL"), format!("http://{addr}")));
            // The first instance's database: replicas share it.
            let url = self.database(service).url.clone();
            settings.push((format!("GENUINE_{upper}_DATABASE_URL"), url));
            listeners.push((service, listener));
        }
        for (service, listener) in listeners {
            // The harness wants a database of its own; the setting above points the replica at
            // the shared one instead, so this empty SQLite file is never used.
            let unused = TestDatabase::sqlite().await;
            let started = service
                .launch()
                .database(unused)
                .clock(self.clock.clone())
                .listener(listener)
                .settings(settings.clone())
                .spawn()
                .await?;
            self.replicas.insert(service, started);
        }
        for replica in self.replicas.values_mut() {
            replica.wait_serving().await?;
        }
        Ok(())
    }

    fn service(&self, service: Service) -> &ServiceUnderTest {
        &self.services[&service]
    }

    /// Stops `service` gracefully and starts it again on the same port and database, as a
    /// restart in production would.
    pub async fn restart(&mut self, service: Service) -> anyhow::Result<()> {
        self.services
            .get_mut(&service)
            .expect("every service is started")
            .restart()
            .await
    }

    /// Stops `service` and waits for it to finish draining.
    pub async fn stop(&mut self, service: Service) -> anyhow::Result<()> {
        self.services
            .get_mut(&service)
            .expect("every service is started")
            .stop()
            .await
    }

    /// The settings the services were started with (secret, peer URLs, data folder), for
    /// starting another process of the suite next to them, e.g. the gateway.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The gRPC URL of `service`.
    pub fn url(&self, service: Service) -> &str {
        self.service(service).url()
    }

    /// A channel to `service` (connect lazily); with replicas running, to each instance in
    /// turn.
    pub fn channel(&self, service: Service) -> Channel {
        match self.replicas.get(&service) {
            Some(replica) if self.next_instance.fetch_add(1, Ordering::Relaxed) % 2 == 1 => {
                replica.channel()
            }
            _ => self.service(service).channel(),
        }
    }

    /// The database of `service`, for tests that inspect or tamper with it.
    pub fn database(&self, service: Service) -> &TestDatabase {
        self.service(service).database()
    }

    /// A token for `subject` acting as `role` (every service accepts it).
    pub fn token(&self, role: Role, subject: &str) -> String {
        self.service(Service::Listing).token(role, subject)
    }

    /// A regulator's token for `jurisdiction`.
    pub fn regulator_token(&self, subject: &str, jurisdiction: &str) -> String {
        self.service(Service::Listing)
            .regulator_token(subject, jurisdiction)
    }

    /// A regulator portal's token for `jurisdiction`: the regulator role with every gateway scope.
    pub fn portal_token(&self, subject: &str, jurisdiction: &str) -> String {
        let mut request =
            TokenRequest::new(subject, vec![Role::Regulator], Duration::from_secs(3600));
        request.agency = Some(format!("{jurisdiction} market surveillance"));
        request.jurisdiction = Some(jurisdiction.to_owned());
        request.scopes = [
            "cases:read",
            "notices:write",
            "notices:read",
            "traders:read",
            "inspections:write",
            "statements:read",
            "reports:read",
            "audit:read",
        ]
        .map(str::to_owned)
        .to_vec();
        self.token_with(request)
    }

    /// A token as described.
    pub fn token_with(&self, request: TokenRequest) -> String {
        self.service(Service::Listing).token_with(&request)
    }
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

pub mod contract;
pub mod gateway;
pub mod raw_grpc;
pub mod story;
