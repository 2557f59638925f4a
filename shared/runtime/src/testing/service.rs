//! One service started in-process the way production starts it (its `serve`, a real listener,
//! real migrations), for tests that call it over gRPC.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures::future::BoxFuture;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::auth::{Role, TokenIssuer, TokenRequest};
use crate::clock::{self, SharedClock};
use crate::config::Source;
use crate::storage::testing::TestDatabase;

/// The HS256 secret every service under test verifies tokens with (and the gateway in front).
pub const SECRET: &str = "genuine-test-secret-of-sufficient-length";

/// How long tokens minted here stay valid: longer than any test.
const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// How long a service may take to report SERVING (migrations on PostgreSQL included).
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a stopped service may take to drain.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A service's `serve`, boxed so that a restart can call it again.
type Serve = Arc<
    dyn Fn(
            Source,
            TcpListener,
            SharedClock,
            CancellationToken,
        ) -> BoxFuture<'static, anyhow::Result<()>>
        + Send
        + Sync,
>;

/// The issuer of tokens the services under test accept.
///
/// # Panics
/// Never in practice: [`SECRET`] is long enough.
#[must_use]
pub fn issuer() -> TokenIssuer {
    TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("test issuer")
}

/// `message` carrying `token` as a bearer token.
///
/// # Panics
/// When `token` is not ASCII (minted tokens always are).
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii token"),
    );
    request
}

/// What to start: built by [`ServiceUnderTest::launch`], started by [`Launch::start`].
pub struct Launch {
    name: &'static str,
    serve: Serve,
    database: Option<TestDatabase>,
    clock: Option<SharedClock>,
    listener: Option<TcpListener>,
    settings: Vec<(String, String)>,
}

impl Launch {
    /// Runs on `database` (default: PostgreSQL when `GENUINE_TEST_POSTGRES_URL` is set, else
    /// SQLite).
    #[must_use]
    pub fn database(mut self, database: TestDatabase) -> Self {
        self.database = Some(database);
        self
    }

    /// Reads time from `clock` (default: the wall clock).
    #[must_use]
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Serves on `listener` (default: a new one on 127.0.0.1:0), for suites that hand out the
    /// address to peers before the service starts.
    #[must_use]
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Adds settings; they override the harness's own (secret, database URL, data dir).
    #[must_use]
    pub fn settings<K: Into<String>, V: Into<String>>(
        mut self,
        settings: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.settings
            .extend(settings.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Starts the service without waiting for it: to start several at once, then
    /// [`ServiceUnderTest::wait_serving`] on each.
    ///
    /// # Errors
    /// When no listener or data directory can be had.
    pub async fn spawn(self) -> anyhow::Result<ServiceUnderTest> {
        let database = match self.database {
            Some(database) => database,
            None => match TestDatabase::postgres().await {
                Some(database) => database,
                None => TestDatabase::sqlite().await,
            },
        };
        let listener = match self.listener {
            Some(listener) => listener,
            None => TcpListener::bind("127.0.0.1:0").await?,
        };
        let addr = listener.local_addr()?.to_string();
        // Generated keys (the audit log's) go here, never into the source tree.
        let data_dir = tempfile::tempdir().context("data dir")?;
        let upper = self.name.to_ascii_uppercase().replace('-', "_");
        let mut source = Source::from_map([
            ("GENUINE_AUTH_SECRET".to_owned(), SECRET.to_owned()),
            (
                format!("GENUINE_{upper}_DATABASE_URL"),
                database.url.clone(),
            ),
            (
                "GENUINE_DATA_DIR".to_owned(),
                data_dir.path().display().to_string(),
            ),
        ]);
        for (key, value) in self.settings {
            source.set(key, value);
        }
        let url = format!("http://{addr}");
        let channel = Channel::from_shared(url.clone())?.connect_lazy();
        let mut service = ServiceUnderTest {
            name: self.name,
            addr,
            url,
            channel,
            database,
            data_dir,
            clock: self.clock.unwrap_or_else(clock::system),
            issuer: issuer(),
            source,
            serve: self.serve,
            shutdown: CancellationToken::new(),
            task: None,
        };
        service.spawn(listener);
        Ok(service)
    }

    /// Starts the service and waits until it reports SERVING.
    ///
    /// # Errors
    /// When it cannot start or ends before serving (with its own error).
    pub async fn start(self) -> anyhow::Result<ServiceUnderTest> {
        let mut service = self.spawn().await?;
        service.wait_serving().await?;
        Ok(service)
    }
}

/// A service running in this process on 127.0.0.1, with its own database and data directory,
/// verifying tokens signed with [`SECRET`]. Dropping it cancels the service.
pub struct ServiceUnderTest {
    name: &'static str,
    addr: String,
    url: String,
    channel: Channel,
    database: TestDatabase,
    data_dir: TempDir,
    clock: SharedClock,
    issuer: TokenIssuer,
    source: Source,
    serve: Serve,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl std::fmt::Debug for ServiceUnderTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceUnderTest")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ServiceUnderTest {
    /// Describes service `name` (as in its `GENUINE_<NAME>_*` settings) started by `serve`,
    /// which is the crate's `serve` taking the [`Source`] by value, e.g.
    /// `|s, l, c, t| async move { genuine_listing::serve(&s, l, c, t).await }`.
    pub fn launch<F, Fut>(name: &'static str, serve: F) -> Launch
    where
        F: Fn(Source, TcpListener, SharedClock, CancellationToken) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Launch {
            name,
            serve: Arc::new(move |source, listener, clock, shutdown| {
                Box::pin(serve(source, listener, clock, shutdown))
            }),
            database: None,
            clock: None,
            listener: None,
            settings: Vec::new(),
        }
    }

    fn spawn(&mut self, listener: TcpListener) {
        self.shutdown = CancellationToken::new();
        let serve = (self.serve)(
            self.source.clone(),
            listener,
            Arc::clone(&self.clock),
            self.shutdown.clone(),
        );
        self.task = Some(tokio::spawn(serve));
    }

    /// The service's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its gRPC URL (`http://127.0.0.1:port`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A lazily connecting channel to it.
    #[must_use]
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Its database, for tests that inspect or tamper with it.
    #[must_use]
    pub fn database(&self) -> &TestDatabase {
        &self.database
    }

    /// Its `GENUINE_DATA_DIR` (unless the settings named another).
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The clock it reads.
    #[must_use]
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The settings it was started with.
    #[must_use]
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// A token for `subject` acting as `role`.
    #[must_use]
    pub fn token(&self, role: Role, subject: &str) -> String {
        self.token_with(&TokenRequest::new(subject, vec![role], TOKEN_TTL))
    }

    /// A regulator's token for `jurisdiction`, from that jurisdiction's market surveillance.
    #[must_use]
    pub fn regulator_token(&self, subject: &str, jurisdiction: &str) -> String {
        let mut request = TokenRequest::new(subject, vec![Role::Regulator], TOKEN_TTL);
        request.agency = Some(format!("{jurisdiction} market surveillance"));
        request.jurisdiction = Some(jurisdiction.to_owned());
        self.token_with(&request)
    }

    /// A token as described.
    ///
    /// # Panics
    /// When the request cannot be signed (an empty subject).
    #[must_use]
    pub fn token_with(&self, request: &TokenRequest) -> String {
        self.issuer.mint(request).expect("mint")
    }

    /// `message` carrying `token`.
    pub fn authed<T>(&self, message: T, token: &str) -> tonic::Request<T> {
        authed(message, token)
    }

    /// Waits until the service's health check answers SERVING (database reachable, start-up
    /// done), or reports why it never will.
    ///
    /// # Errors
    /// When it ended before serving (with its error), or did not serve within 20 s.
    pub async fn wait_serving(&mut self) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            if self.task.as_ref().is_some_and(JoinHandle::is_finished) {
                let ended = self.join().await;
                return Err(ended
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("it ended without error")))
                .with_context(|| format!("{} ended before serving", self.name));
            }
            if self.serving().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        anyhow::bail!("{} never became SERVING", self.name)
    }

    async fn serving(&self) -> bool {
        let mut health = HealthClient::new(self.channel.clone());
        let request = HealthCheckRequest {
            service: String::new(),
        };
        let reply = tokio::time::timeout(Duration::from_secs(1), health.check(request)).await;
        matches!(reply, Ok(Ok(r)) if r.get_ref().status == ServingStatus::Serving as i32)
    }

    /// Stops the service and waits for it to drain; the database and data directory stay, for
    /// [`ServiceUnderTest::restart`]. Stopping a stopped service does nothing.
    ///
    /// # Errors
    /// When it did not end cleanly (its error, a panic, or no end within 10 s).
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.join().await
    }

    async fn join(&mut self) -> anyhow::Result<()> {
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        tokio::time::timeout(STOP_TIMEOUT, task)
            .await
            .with_context(|| format!("{} did not stop within {STOP_TIMEOUT:?}", self.name))?
            .with_context(|| format!("{} panicked", self.name))?
            .with_context(|| format!("{} ended with an error", self.name))
    }

    /// Stops the service and starts it again on the same port, database, data directory,
    /// clock and settings, as a restart in production would.
    ///
    /// # Errors
    /// When it did not stop cleanly, the port is taken, or it does not serve again.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop().await?;
        let listener = TcpListener::bind(&self.addr)
            .await
            .with_context(|| format!("{}: port {} taken", self.name, self.addr))?;
        self.spawn(listener);
        self.wait_serving().await
    }
}

impl Drop for ServiceUnderTest {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
