//! Hosting one service: what every service does between reading its settings and serving, in
//! one place. A service crate's `serve` is then: load its config, [`Host::start`] with its
//! migrator, build its gRPC routes and outbox handlers from [`Host::db`] and
//! [`Host::channel`], and [`Host::run`].

mod auth_setup;
mod migrate;

pub use migrate::migrate;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{ClientTlsConfig, ServerTlsConfig};

use crate::auth::{AccessPolicy, AuthLayer, TokenVerifier};
use crate::clients::{
    ClientConfig, ServiceChannel, ServiceCredentials, client_tls_config, service_channel,
};
use crate::clock::SharedClock;
use crate::config::ServiceSettings;
use crate::outbox::{Dispatcher, DispatcherConfig, Handlers, Wake, register_metrics};
use crate::serving::{GrpcServer, ServingConfig, probe_fn, server_tls_config};
use crate::storage;

/// How often the outbox gauges re-count the backlog: a cheap indexed count, and alerts look at
/// minutes.
const OUTBOX_METRICS_INTERVAL: Duration = Duration::from_secs(15);

/// A service's running infrastructure: database pool, clock, token verifier, credentials for
/// outgoing calls, and the outbox wake-up.
pub struct Host {
    settings: ServiceSettings,
    db: DatabaseConnection,
    clock: SharedClock,
    verifier: TokenVerifier,
    credentials: ServiceCredentials,
    wake: Wake,
    dispatcher: DispatcherConfig,
    /// Both halves of mutual TLS, read once at start; `None` when TLS is off.
    tls: Option<(ServerTlsConfig, ClientTlsConfig)>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Host {
    /// Checks that authentication is configured, connects to the database and, unless disabled,
    /// applies the migrations of `M`.
    ///
    /// # Errors
    /// A missing secret, an unreachable database or a failed migration, each said plainly.
    pub async fn start<M: MigratorTrait>(
        settings: ServiceSettings,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        settings.require_auth()?;
        let verifier = TokenVerifier::new(auth_setup::auth_config(&settings)?)
            .context("token verification cannot be set up")?;
        let credentials = auth_setup::service_credentials(&settings)?;
        let tls = match &settings.tls {
            Some(files) => {
                let pem = files.read()?;
                Some((server_tls_config(&pem), client_tls_config(&pem)))
            }
            None => None,
        };
        let db = storage::connect(&settings.database)
            .await
            .with_context(|| format!("{}: cannot open its database", settings.name))?;
        if settings.migrate_on_start {
            storage::migrate::<M>(&db)
                .await
                .with_context(|| format!("{}: migrations failed", settings.name))?;
        }
        let dispatcher = DispatcherConfig {
            backoff_cap: settings.outbox_backoff_cap,
            ..DispatcherConfig::default()
        };
        Ok(Self {
            settings,
            db,
            clock,
            verifier,
            credentials,
            wake: Wake::new(),
            dispatcher,
            tls,
        })
    }

    /// Replaces the outbox dispatcher's pacing (tests shorten the poll interval).
    #[must_use]
    pub fn with_dispatcher_config(mut self, config: DispatcherConfig) -> Self {
        self.dispatcher = config;
        self
    }

    /// The outbox dispatcher's pacing as configured (start from it to change one field).
    #[must_use]
    pub fn dispatcher_config(&self) -> DispatcherConfig {
        self.dispatcher.clone()
    }

    /// The service's database.
    #[must_use]
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The clock every rule and deadline reads.
    #[must_use]
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The common settings.
    #[must_use]
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// Wakes the outbox dispatcher: call after committing a transaction that enqueued messages,
    /// so they go out now rather than at the next poll.
    #[must_use]
    pub fn outbox_wake(&self) -> Wake {
        self.wake.clone()
    }

    /// A lazily connected channel to a peer at `url`, carrying this service's token, the
    /// configured call deadline and the trace context. Create once, clone per call.
    ///
    /// # Errors
    /// When `url` is not a valid endpoint.
    pub fn channel(&self, url: &str) -> anyhow::Result<ServiceChannel> {
        self.channel_with_deadline(url, self.settings.call_timeout)
    }

    /// Like [`Host::channel`] with its own default deadline (e.g. 50 ms for standing look-ups).
    ///
    /// # Errors
    /// When `url` is not a valid endpoint.
    pub fn channel_with_deadline(
        &self,
        url: &str,
        deadline: Duration,
    ) -> anyhow::Result<ServiceChannel> {
        let config = ClientConfig::new(url)
            .with_deadline(deadline)
            .with_tls(self.tls.as_ref().map(|(_, client)| client.clone()));
        service_channel(&config, self.credentials.clone())
            .with_context(|| format!("{}: bad peer address {url:?}", self.settings.name))
    }

    /// Serves `routes` on `listener` with health (NOT_SERVING while the database does not
    /// answer), reflection, the access `policy` and the serving limits, and runs the outbox
    /// dispatcher with `handlers`, until `shutdown` is cancelled; then drains both. With TLS
    /// configured the server requires client certificates; with `HEALTH_ADDR` set, health is
    /// also served in plaintext there (for the kubelet).
    ///
    /// # Errors
    /// When the server cannot start.
    pub async fn run(
        self,
        listener: TcpListener,
        routes: Routes,
        service_names: &[&'static str],
        policy: AccessPolicy,
        handlers: Handlers,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let Self {
            settings,
            db,
            clock,
            verifier,
            wake,
            dispatcher,
            tls,
            ..
        } = self;
        // Bound before anything starts, so a taken port fails the start, not the first probe.
        let health_listener = match settings.health_addr {
            Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| {
                format!(
                    "GENUINE_{}_HEALTH_ADDR: cannot listen on {addr}",
                    settings.name.to_uppercase()
                )
            })?),
            None => None,
        };
        // Backlog and oldest age as gauges; the first measurement is taken at once.
        let outbox_metrics = register_metrics(
            db.clone(),
            clock.clone(),
            settings.name,
            OUTBOX_METRICS_INTERVAL,
            shutdown.clone(),
        );
        let dispatcher = Dispatcher::new(db.clone(), handlers, clock, dispatcher).with_wake(wake);
        let dispatcher_task = tokio::spawn(dispatcher.run(shutdown.clone()));

        let probe_db = db.clone();
        let probe = probe_fn(move || {
            let db = probe_db.clone();
            async move { storage::ping(&db, Duration::from_secs(1)).await }
        });
        let serving = ServingConfig {
            listen_addr: settings.listen_addr,
            request_timeout: settings.request_timeout,
            concurrency_limit: settings.concurrency_limit,
            adaptive_concurrency: settings.adaptive_concurrency,
            max_concurrent_streams: settings.max_concurrent_streams,
            shutdown_grace: settings.shutdown_grace,
            not_serving_delay: settings.not_serving_delay,
            ..ServingConfig::default()
        };
        let server = GrpcServer::new(
            settings.name,
            serving,
            routes,
            service_names.to_vec(),
            Arc::new(probe),
            AuthLayer::new(verifier, policy),
        );
        let server = match tls {
            Some((server_tls, _)) => server.with_tls(server_tls),
            None => server,
        };
        let server = match health_listener {
            Some(listener) => server.with_health_listener(listener),
            None => server,
        };
        let served = server.serve(listener, shutdown.clone()).await;
        // The dispatcher stops on the same token; wait for it to hand back its claims.
        shutdown.cancel();
        if let Err(error) = dispatcher_task.await {
            tracing::error!(service = settings.name, %error, "outbox dispatcher ended abnormally");
        }
        outbox_metrics.await.ok();
        db.close().await.ok();
        served.with_context(|| format!("{}: server failed", settings.name))
    }
}
