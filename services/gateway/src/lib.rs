//! The regulator gateway: HTTP/JSON for regulator portals over the suite's gRPC services.
//!
//! - [`serve`] runs it on a listener until shutdown (the `genuine` binary wires it into `up`
//!   and `serve`).
//! - Regulators authenticate with bearer JWTs checked by the runtime's verifier (keys from the
//!   suite's settings, or a JWKS file); every `/v1` route needs the `regulator` role, a
//!   jurisdiction and its scope ([`auth`]).
//! - The gateway acts **as the regulator** towards the services: it forwards the regulator's
//!   token on each gRPC call, so the services' access tables and jurisdiction rules apply to the
//!   regulator itself; the gateway adds its own jurisdiction checks where it can ([`upstream`]).
//! - Errors are RFC 9457 problem details mapped from gRPC statuses ([`http::problem`]);
//!   requests are rate-limited per principal and scope (GCRA), size-, depth- and time-limited,
//!   traced (W3C), and audited ([`http::audit`]).
//! - `/openapi.json` is generated from the handlers; `/` is a small portal page.

pub mod auth;
pub mod config;
pub mod dto;
pub mod http;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod upstream;

use anyhow::Context as _;
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::GatewayConfig;
use crate::state::AppState;

/// The service's name in configuration and logs.
pub const NAME: &str = "gateway";
/// Where it listens unless configured otherwise.
pub const DEFAULT_PORT: u16 = 8080;

/// Serves the gateway on `listener` until `shutdown`, then lets in-flight requests finish for
/// at most `GENUINE_GATEWAY_SHUTDOWN_GRACE`.
///
/// # Errors
/// Bad configuration, missing keys, or a server failure.
pub async fn serve(
    source: &Source,
    listener: TcpListener,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let config = GatewayConfig::load(source)?;
    let grace = config.settings.shutdown_grace;
    let state = AppState::new(&config, clock)?;
    let app = routes::router(state);
    let addr = listener.local_addr().ok();
    tracing::info!(service = NAME, ?addr, "serving HTTP");
    let server =
        axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server => served.context("gateway: server failed"),
        () = deadline => {
            tracing::warn!(service = NAME, ?grace, "requests still running after the grace period; stopping");
            Ok(())
        }
    }
}
