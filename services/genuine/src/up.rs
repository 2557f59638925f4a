//! `genuine up`: the whole suite in one process on the embedded default.

use std::time::Duration;

use anyhow::Context;
use genuine_runtime::clock;
use genuine_runtime::config::Source;
use genuine_runtime::serving::shutdown_on_signals;
use genuine_runtime::telemetry::{self, TelemetryConfig};
use tokio::net::TcpListener;

use crate::cli::{ServiceKind, TokenArgs, UpArgs};
use crate::secret_file;
use crate::token;

/// Every scope a regulator portal needs at the gateway.
const GATEWAY_SCOPES: [&str; 8] = [
    "cases:read",
    "notices:write",
    "notices:read",
    "traders:read",
    "inspections:write",
    "statements:read",
    "reports:read",
    "audit:read",
];

/// Binds every port first (so a taken port fails before anything starts), prints the endpoints
/// and ready tokens, then serves until SIGINT/SIGTERM.
pub async fn run(mut source: Source, args: UpArgs) -> anyhow::Result<()> {
    let _telemetry = telemetry::init(&TelemetryConfig::load(&source, "genuine")?);
    let (secret, origin) = secret_file::load_or_create(&source, true)?;
    source.set("GENUINE_AUTH_SECRET", secret.expose());
    let data_dir = source.suite().string("DATA_DIR", "./data");
    std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create {data_dir}"))?;

    let mut listeners = Vec::new();
    for service in ServiceKind::ALL {
        let port = match service {
            ServiceKind::Listing => args.listing_port,
            ServiceKind::Reputation => args.reputation_port,
            ServiceKind::Enforcement => args.enforcement_port,
            ServiceKind::Gateway => args.gateway_port,
        };
        let wanted = format!("{}:{port}", args.host);
        let listener = TcpListener::bind(&wanted).await.with_context(|| {
            format!(
                "{}: cannot listen on {wanted} (is another genuine running?)",
                service.name()
            )
        })?;
        // Port 0 picks a free port: tell peers the address actually bound.
        let addr = listener.local_addr()?.to_string();
        let upper = service.name().to_ascii_uppercase();
        source.set(format!("GENUINE_{upper}_LISTEN_ADDR"), addr.clone());
        source.set(format!("GENUINE_{upper}_URL"), format!("http://{addr}"));
        listeners.push((service, listener, addr));
    }

    print_banner(
        &source,
        secret.expose(),
        &origin,
        &data_dir,
        &listeners,
        args.token_ttl,
    )?;

    let shutdown = shutdown_on_signals();
    let mut tasks = tokio::task::JoinSet::new();
    for (service, listener, _) in listeners {
        let (source, shutdown) = (source.clone(), shutdown.clone());
        tasks.spawn(async move {
            let result = service
                .serve(&source, listener, clock::system(), shutdown.clone())
                .await;
            // One service failing takes the suite down: a half-running suite misleads.
            shutdown.cancel();
            result.with_context(|| format!("{} stopped", service.name()))
        });
    }
    let mut outcome = Ok(());
    while let Some(joined) = tasks.join_next().await {
        let result = joined.context("a service task panicked").and_then(|r| r);
        if let Err(error) = result {
            tracing::error!(error = format!("{error:#}"), "service failed");
            if outcome.is_ok() {
                outcome = Err(error);
            }
        }
    }
    outcome
}

fn print_banner(
    source: &Source,
    secret: &str,
    origin: &str,
    data_dir: &str,
    listeners: &[(ServiceKind, TcpListener, String)],
    ttl: Duration,
) -> anyhow::Result<()> {
    let issuer = token::issuer(source, secret)?;
    let mint = |roles: &[&str], subject: &str, agency: Option<&str>, jurisdiction: Option<&str>| {
        token::mint(
            &issuer,
            &TokenArgs {
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                subject: Some(subject.to_owned()),
                agency: agency.map(str::to_owned),
                jurisdiction: jurisdiction.map(str::to_owned),
                // A regulator's token opens every gateway route; scopes mean nothing elsewhere.
                scopes: if roles == ["regulator"] {
                    GATEWAY_SCOPES.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    Vec::new()
                },
                ttl,
            },
        )
    };
    println!("genuine is up (embedded default, data in {data_dir}, signing secret from {origin})");
    for (service, _, addr) in listeners {
        let scheme = if *service == ServiceKind::Gateway {
            "http"
        } else {
            "grpc"
        };
        println!("  {:<12} {scheme}://{addr}", service.name());
    }
    println!(
        "\nTokens (valid {}), send as `authorization: Bearer <token>`:",
        humantime::format_duration(ttl)
    );
    println!("  admin      {}", mint(&["admin"], "admin", None, None)?);
    println!(
        "  reviewer   {}",
        mint(&["reviewer"], "reviewer-1", None, None)?
    );
    println!(
        "  regulator  {}",
        mint(
            &["regulator"],
            "regulator-de",
            Some("Federal Market Surveillance"),
            Some("DE")
        )?
    );
    println!("\nMore: `genuine token --role seller --subject <seller id>`. Stop with Ctrl-C.");
    Ok(())
}
