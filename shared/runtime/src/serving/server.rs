//! The server itself: routes plus health, reflection and the shared stack; graceful shutdown.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Server, ServerTlsConfig};
use tonic_health::ServingStatus;
use tonic_health::server::health_reporter;
use tower::ServiceBuilder;

use super::limit::{ConcurrencyLimit, LimitConfig};
use super::{
    AdmissionLayer, HealthProbe, MetricsLayer, ServingConfig, TimeoutLayer, TraceContextLayer,
    health,
};
use crate::auth::AuthLayer;
use crate::telemetry::RpcMetrics;

/// Names reflection lists besides the hosted services.
const HEALTH_SERVICE: &str = "grpc.health.v1.Health";
const REFLECTION_SERVICES: [&str; 2] = [
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// Why a server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The embedded descriptor sets are unusable (a build problem, not an operational one).
    #[error("cannot build the reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The transport failed while serving.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// One service's gRPC server. The service supplies routes, names, probe and access policy (as
/// its [`AuthLayer`]); the rest is the same everywhere.
pub struct GrpcServer {
    name: String,
    config: ServingConfig,
    routes: Routes,
    service_names: Vec<String>,
    probe: Arc<dyn HealthProbe>,
    auth: AuthLayer,
    metrics: RpcMetrics,
    tls: Option<ServerTlsConfig>,
    health_listener: Option<TcpListener>,
}

impl std::fmt::Debug for GrpcServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcServer")
            .field("name", &self.name)
            .field("config", &self.config)
            .field("service_names", &self.service_names)
            .finish_non_exhaustive()
    }
}

impl GrpcServer {
    /// `name` labels logs; `service_names` are the fully-qualified gRPC services in `routes`
    /// (e.g. `genuine.listing.v1.ListingService`), reported in health and listed by reflection.
    /// `auth` is the innermost layer, so shed and timed-out calls never reach token checks; it
    /// must let `grpc.health.v1.Health` through without a token (the access policy does).
    ///
    /// Build it after [`crate::telemetry::init`] so the RPC metrics reach the exporter.
    pub fn new(
        name: &str,
        config: ServingConfig,
        routes: Routes,
        service_names: Vec<&'static str>,
        probe: Arc<dyn HealthProbe>,
        auth: AuthLayer,
    ) -> Self {
        Self {
            name: name.to_owned(),
            config,
            routes,
            service_names: service_names.into_iter().map(str::to_owned).collect(),
            probe,
            auth,
            metrics: RpcMetrics::new(),
            tls: None,
            health_listener: None,
        }
    }

    /// Serves over TLS ([`super::server_tls_config`]: mutual, callers need a certificate).
    #[must_use]
    pub fn with_tls(mut self, tls: ServerTlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Also serves `grpc.health.v1.Health`, and nothing else, in plaintext on `listener`: the
    /// kubelet's `grpc:` probes cannot present a client certificate, so with mutual TLS on the
    /// main port they need a door of their own. It reports the same statuses as the main port,
    /// NOT_SERVING during the drain included, and closes once the main server has stopped.
    #[must_use]
    pub fn with_health_listener(mut self, listener: TcpListener) -> Self {
        self.health_listener = Some(listener);
        self
    }

    /// Serves on `listener` until `shutdown` is cancelled, then: NOT_SERVING for every name,
    /// wait `not_serving_delay`, stop accepting, drain in-flight calls for at most
    /// `shutdown_grace`. Returns `Ok` after a clean drain and also when the grace ran out (logged;
    /// the unfinished calls are abandoned to process exit).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> Result<(), ServeError> {
        let Self {
            name,
            config,
            routes,
            service_names,
            probe,
            auth,
            metrics,
            tls,
            health_listener,
        } = self;

        let mut listed: Vec<String> = service_names.clone();
        listed.push(HEALTH_SERVICE.to_owned());
        listed.extend(REFLECTION_SERVICES.map(str::to_owned));
        let reflection = || {
            listed.iter().fold(
                tonic_reflection::server::Builder::configure()
                    .register_encoded_file_descriptor_set(genuine_contracts::FILE_DESCRIPTOR_SET)
                    .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET),
                |builder, service| builder.with_service_name(service.clone()),
            )
        };
        let reflection_v1 = reflection().build_v1()?;
        let reflection_v1alpha = reflection().build_v1alpha()?;

        // Nothing is SERVING until the probe has passed once.
        let (reporter, health_service) = health_reporter();
        let mut health_names = vec![String::new()];
        health_names.extend(service_names);
        health::set_all(&reporter, &health_names, ServingStatus::NotServing).await;
        // Stops the poller however `serve` ends, transport errors included.
        let health_stop = shutdown.child_token();
        let _stop_health_on_exit = health_stop.clone().drop_guard();
        let poller = tokio::spawn(health::poll(
            name.clone(),
            reporter.clone(),
            health_names.clone(),
            probe,
            config.health_poll_interval,
            health_stop,
        ));

        let health_only = health_listener.map(|listener| {
            let stop = CancellationToken::new();
            let addr = listener.local_addr().ok();
            tracing::info!(server = %name, ?addr, "plaintext health listener");
            let serving = Server::builder()
                .add_service(health_service.clone())
                .serve_with_incoming_shutdown(
                    TcpIncoming::from(listener),
                    stop.clone().cancelled_owned(),
                );
            (stop, tokio::spawn(serving))
        });

        let routes = routes
            .add_service(health_service)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha);

        let limit = if config.adaptive_concurrency {
            ConcurrencyLimit::adaptive(LimitConfig::adaptive(config.concurrency_limit))
        } else {
            ConcurrencyLimit::fixed(config.concurrency_limit)
        };
        let stack = ServiceBuilder::new()
            .layer(TraceContextLayer)
            .layer(MetricsLayer::new(metrics.clone()))
            .layer(AdmissionLayer::with_limit(Arc::clone(&limit), metrics))
            .layer(TimeoutLayer::new(config.request_timeout))
            .layer(auth)
            .into_inner();

        let local_addr = listener.local_addr().ok();
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));

        // Runs when `shutdown` fires; tonic stops accepting once it returns.
        let stop_accepting = {
            let shutdown = shutdown.clone();
            let name = name.clone();
            let delay = config.not_serving_delay;
            async move {
                shutdown.cancelled().await;
                tracing::info!(server = %name, "shutdown: reporting NOT_SERVING");
                // The poller must be gone before the final status, or it could flip it back.
                poller.abort();
                let _ = poller.await;
                health::set_all(&reporter, &health_names, ServingStatus::NotServing).await;
                if !delay.is_zero() {
                    tracing::info!(server = %name, ?delay, "shutdown: waiting before closing the listener");
                    tokio::time::sleep(delay).await;
                }
                tracing::info!(server = %name, "shutdown: stopped accepting, draining in-flight calls");
            }
        };

        let tls_on = tls.is_some();
        let mut builder = Server::builder();
        if let Some(tls) = tls {
            builder = builder.tls_config(tls)?;
        }
        let serving = builder
            .max_concurrent_streams(config.max_concurrent_streams)
            // Streams a caller cancelled (a deadline) before a busy server got to them: h2's
            // default of 20 at once is the rapid-reset guard, but a legitimate caller with a
            // short deadline reaches it under load and loses the whole connection (GOAWAY
            // `too_many_resets`). Four times what the caller may have open is still a bound
            // (a few hundred bytes each), and survives a burst of deadlines on a busy server.
            .http2_max_pending_accept_reset_streams(Some(
                usize::try_from(config.max_concurrent_streams)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(4),
            ))
            .layer(stack)
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, stop_accepting);

        tracing::info!(
            server = %name,
            addr = ?local_addr,
            concurrency_limit = config.concurrency_limit,
            adaptive_concurrency = config.adaptive_concurrency,
            request_timeout = ?config.request_timeout,
            tls = tls_on,
            "gRPC server listening"
        );

        // The grace clock starts once the listener is closed.
        let give_up = async {
            shutdown.cancelled().await;
            tokio::time::sleep(config.not_serving_delay + config.shutdown_grace).await;
        };

        let outcome = tokio::select! {
            result = serving => {
                result.map(|()| tracing::info!(server = %name, "shutdown: drained, server stopped"))
            }
            () = give_up => {
                let in_flight = limit.in_flight();
                tracing::warn!(
                    server = %name,
                    grace = ?config.shutdown_grace,
                    in_flight,
                    "shutdown: grace period over, abandoning unfinished calls"
                );
                Ok(())
            }
        };
        if let Some((stop, task)) = health_only {
            stop.cancel();
            match task.await {
                Ok(Err(error)) => tracing::warn!(server = %name, %error, "health listener failed"),
                Err(error) => tracing::warn!(server = %name, %error, "health listener panicked"),
                Ok(Ok(())) => {}
            }
        }
        Ok(outcome?)
    }
}

/// A token cancelled on SIGTERM or SIGINT (Ctrl-C); pass it to [`GrpcServer::serve`]. Must be
/// called inside the Tokio runtime. One token can stop every server of the process.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        if let Some(signal) = wait_for_signal().await {
            tracing::info!(signal, "shutdown signal received");
            trigger.cancel();
        }
    });
    token
}

/// The name of the first termination signal, or `None` when signals cannot be watched.
async fn wait_for_signal() -> Option<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = terminate.recv() => Some("SIGTERM"),
                result = tokio::signal::ctrl_c() => result.ok().map(|()| "SIGINT"),
            },
            Err(error) => {
                tracing::warn!(%error, "cannot watch SIGTERM; only Ctrl-C stops the server");
                tokio::signal::ctrl_c().await.ok().map(|()| "SIGINT")
            }
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok().map(|()| "SIGINT")
    }
}
