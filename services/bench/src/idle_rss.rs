//! `idle-rss`: each service started as its own process (`genuine serve <service>`, this very
//! executable, as a container runs it) with a fresh database of the run's backend, left idle
//! once SERVING, then its resident memory read from `/proc/<pid>/status`. A second listing
//! process loads the generated catalogue (`--brands`, `--hashes`); the difference between the
//! two listings is what the screening index costs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::args::{BenchArgs, Scenario};
use crate::compare::Outcome;
use crate::database::{Backend, BenchDatabase};
use crate::seed;
use crate::suite::{SECRET, SERVING_WITHIN, wait_serving};

/// Resident memory a service may hold when idle (issue 8), MiB.
pub const SERVICE_TARGET_MIB: f64 = 40.0;
/// What the screening index of 1,000,000 hashes may hold (issue 8), MiB.
pub const INDEX_TARGET_MIB: f64 = 100.0;

/// A process of the run: which service, how to reach it, and where its log goes.
struct Process {
    label: String,
    child: Child,
    health: Health,
    log: PathBuf,
}

enum Health {
    /// gRPC health of a service at this URL.
    Grpc(String),
    /// `GET /healthz` of the gateway at this address.
    Http(String),
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Memory of a process, from `/proc/<pid>/status` (kB there, MiB here).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Memory {
    pub rss: f64,
    pub anon: f64,
    pub file: f64,
    pub peak: f64,
    pub threads: u32,
}

impl Memory {
    /// Reads the memory of process `pid`.
    ///
    /// # Errors
    /// The process is gone or its status unreadable.
    pub fn of(pid: u32) -> anyhow::Result<Self> {
        Ok(Self::parse(&std::fs::read_to_string(format!(
            "/proc/{pid}/status"
        ))?))
    }

    fn parse(status: &str) -> Self {
        let field = |name: &str| -> f64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
                .unwrap_or(0.0)
        };
        Self {
            rss: field("VmRSS:") / 1024.0,
            anon: field("RssAnon:") / 1024.0,
            file: field("RssFile:") / 1024.0,
            peak: field("VmHWM:") / 1024.0,
            threads: field("Threads:") as u32,
        }
    }
}

/// Starts the services, waits until each serves, lets them idle and tabulates their memory.
///
/// # Errors
/// A service that does not start or become healthy, or an unreadable `/proc`.
pub async fn run(args: &BenchArgs) -> anyhow::Result<Outcome> {
    let exe = std::env::current_exe()?;
    let dir = tempfile::tempdir()?;
    let (listing, reputation, enforcement, gateway, indexed) = (
        free_addr()?,
        free_addr()?,
        free_addr()?,
        free_addr()?,
        free_addr()?,
    );
    let peers = [
        ("GENUINE_LISTING_URL", format!("http://{listing}")),
        ("GENUINE_REPUTATION_URL", format!("http://{reputation}")),
        ("GENUINE_ENFORCEMENT_URL", format!("http://{enforcement}")),
    ];
    let mut databases = Vec::new();
    let mut processes = Vec::new();
    let mut backend = Backend::Sqlite;
    for (service, at) in [
        ("reputation", &reputation),
        ("listing", &listing),
        ("enforcement", &enforcement),
        ("gateway", &gateway),
    ] {
        let db = if service == "gateway" {
            None
        } else {
            let db = BenchDatabase::create(args.postgres_url.as_deref()).await?;
            backend = db.backend;
            Some(db)
        };
        processes.push(spawn(
            &exe,
            dir.path(),
            service,
            service,
            at,
            db.as_ref().map(|d| d.url.as_str()),
            &peers,
        )?);
        databases.extend(db);
    }
    eprintln!(
        "bench: writing {} brands and {} hashes for the indexed listing…",
        args.brands, args.hashes
    );
    let catalogue_db = BenchDatabase::create(args.postgres_url.as_deref()).await?;
    let mut source = genuine_runtime::config::Source::from_map([("GENUINE_AUTH_SECRET", SECRET)]);
    source.set("GENUINE_LISTING_DATABASE_URL", catalogue_db.url.clone());
    source.set(
        "GENUINE_DATA_DIR",
        dir.path().join("indexed").display().to_string(),
    );
    genuine_listing::migrate(&source).await?;
    let conn = catalogue_db.connect(1).await?;
    seed::catalogue(&conn, args.seed, args.brands, args.hashes).await?;
    conn.close().await.ok();
    let indexed_label = format!("listing + {} brands, {} hashes", args.brands, args.hashes);
    processes.push(spawn(
        &exe,
        dir.path(),
        "listing",
        &indexed_label,
        &indexed,
        Some(&catalogue_db.url),
        &peers,
    )?);
    databases.push(catalogue_db);
    for process in &processes {
        let healthy = match &process.health {
            Health::Grpc(url) => wait_serving(url, SERVING_WITHIN).await,
            Health::Http(at) => wait_http_ok(at, "/healthz", SERVING_WITHIN).await,
        };
        if let Err(e) = healthy {
            let log = std::fs::read_to_string(&process.log).unwrap_or_default();
            anyhow::bail!("{}: {e}\n{log}", process.label);
        }
    }
    eprintln!("bench: every service serves; idle for {:?}…", args.idle);
    tokio::time::sleep(args.idle).await;
    let mut measured = Vec::new();
    for process in &processes {
        measured.push((process.label.clone(), Memory::of(process.child.id())?));
    }
    drop(processes);
    drop(databases);
    Ok(Outcome::new(
        vec![(Scenario::IdleRss, Vec::new())],
        table(args, backend, &measured),
    ))
}

/// A local address free now; the child binds it a moment later.
fn free_addr() -> anyhow::Result<String> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .to_string())
}

/// `genuine serve <service>` listening on `at`, with its database and peers.
fn spawn(
    exe: &Path,
    dir: &Path,
    service: &str,
    label: &str,
    at: &str,
    database_url: Option<&str>,
    peers: &[(&str, String)],
) -> anyhow::Result<Process> {
    let upper = service.to_ascii_uppercase();
    let data_dir = dir.join(label.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    std::fs::create_dir_all(&data_dir)?;
    let log = data_dir.join("stderr.log");
    let mut command = Command::new(exe);
    command
        .args(["serve", service])
        .env("GENUINE_AUTH_SECRET", SECRET)
        .env("GENUINE_LOG", "error")
        .env("GENUINE_DATA_DIR", &data_dir)
        .env(format!("GENUINE_{upper}_LISTEN_ADDR"), at)
        .envs(peers.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    if let Some(url) = database_url {
        command.env(format!("GENUINE_{upper}_DATABASE_URL"), url);
    }
    let child = command.spawn()?;
    let health = if service == "gateway" {
        Health::Http(at.to_owned())
    } else {
        Health::Grpc(format!("http://{at}"))
    };
    Ok(Process {
        label: label.to_owned(),
        child,
        health,
        log,
    })
}

/// Polls `GET path` on `at` until it answers 200.
async fn wait_http_ok(at: &str, path: &str, within: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(at).await {
            let request = format!("GET {path} HTTP/1.1\r\nHost: {at}\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).await.is_ok()
                && stream.read_to_string(&mut answer).await.is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("GET {path} never answered 200")
}

fn table(args: &BenchArgs, backend: Backend, measured: &[(String, Memory)]) -> String {
    let mut text = format!(
        "\n## {} · {} · each service its own process (`genuine serve <service>`), read after \
         {:?} idle once SERVING\n\n\
         | process | VmRSS MiB | RssAnon MiB | RssFile MiB | VmHWM MiB | threads | target | met |\n\
         |---|---:|---:|---:|---:|---:|---|---|\n",
        Scenario::IdleRss.name(),
        backend.name(),
        args.idle
    );
    let (services, indexed) = measured.split_at(measured.len().saturating_sub(1));
    for (label, m) in services {
        let met = if m.rss <= SERVICE_TARGET_MIB {
            "yes"
        } else {
            "no"
        };
        let _ = writeln!(
            text,
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {} | ≤ {SERVICE_TARGET_MIB} MiB | {met} |",
            m.rss, m.anon, m.file, m.peak, m.threads
        );
    }
    let empty_listing = services
        .iter()
        .find(|(label, _)| label == "listing")
        .map_or(0.0, |(_, m)| m.rss);
    for (label, m) in indexed {
        let index = m.rss - empty_listing;
        // The target is for a million hashes; scale it to the index measured. Below 100,000
        // hashes the index is lost among the allocator's and the catalogue's own memory.
        let target = INDEX_TARGET_MIB * args.hashes as f64 / 1_000_000.0;
        let met = match (args.hashes >= 100_000, index <= target) {
            (false, _) => "too small to judge",
            (true, true) => "yes",
            (true, false) => "no",
        };
        let _ = writeln!(
            text,
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {} | index (− empty listing) {index:.1} MiB ≤ {target:.1} MiB | {met} |",
            m.rss, m.anon, m.file, m.peak, m.threads
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_fields_in_mib() {
        let status = "Name:\tgenuine\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n\
                      RssAnon:\t   30720 kB\nRssFile:\t   10240 kB\nThreads:\t5\n";
        assert_eq!(
            Memory::parse(status),
            Memory {
                rss: 40.0,
                anon: 30.0,
                file: 10.0,
                peak: 50.0,
                threads: 5
            }
        );
    }
}
