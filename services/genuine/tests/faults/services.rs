//! The three gRPC services as child processes of the real binary, each with its own database in
//! the private cluster, one signing secret, and short windows so that deadlines fire during the
//! run.

use std::time::Duration;

use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tonic::transport::Channel;

use crate::postgres::PrivatePostgres;
use crate::support::process::{GenuineProcess, free_port};

const SECRET: &str = "fault-test-secret-long-enough-0123456789";

/// The counter-notice window: short, so that windows expire (and are raced by legal action)
/// while processes are being killed.
pub const COUNTER_NOTICE_WINDOW: &str = "4s";

/// How long a process may take to be SERVING again after a restart.
pub const RECOVERY: Duration = Duration::from_secs(90);

/// One of the services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Svc {
    Listing,
    Reputation,
    Enforcement,
}

impl Svc {
    pub const ALL: [Self; 3] = [Self::Listing, Self::Reputation, Self::Enforcement];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Listing => "listing",
            Self::Reputation => "reputation",
            Self::Enforcement => "enforcement",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// Where the services answer and how to get tokens they accept; cheap to clone into clients.
#[derive(Clone)]
pub struct Endpoints {
    urls: [String; 3],
    issuer: std::sync::Arc<TokenIssuer>,
}

impl Endpoints {
    /// A fresh lazily connecting channel to `svc`: each client has connections of its own and
    /// reconnects by itself after a restart.
    pub fn channel(&self, svc: Svc) -> Channel {
        Channel::from_shared(self.urls[svc.index()].clone())
            .expect("url")
            .connect_lazy()
    }

    /// A token for `subject` acting as `role`.
    pub fn token(&self, role: Role, subject: &str) -> String {
        let request = TokenRequest::new(subject, vec![role], Duration::from_secs(3 * 3600));
        self.issuer.mint(&request).expect("mint")
    }
}

/// The running processes.
pub struct Services {
    processes: [GenuineProcess; 3],
    endpoints: Endpoints,
    _dir: tempfile::TempDir,
}

impl Services {
    /// Creates the three databases on `postgres`, starts the services and waits until each is
    /// SERVING.
    pub async fn start(postgres: &PrivatePostgres) -> Self {
        let admin = Database::connect(postgres.admin_url())
            .await
            .expect("private PostgreSQL answers");
        for svc in Svc::ALL {
            admin
                .execute_unprepared(&format!("CREATE DATABASE {}", svc.name()))
                .await
                .expect("create database");
        }
        admin.close().await.ok();

        let dir = tempfile::tempdir().expect("data folder");
        // GENUINE_FAULT_LOG_DIR keeps the processes' logs after the test (they go away with the
        // data folder otherwise).
        let log_dir = std::env::var("GENUINE_FAULT_LOG_DIR")
            .map_or_else(|_| dir.path().to_owned(), std::path::PathBuf::from);
        std::fs::create_dir_all(&log_dir).expect("log folder");
        let ports = Svc::ALL.map(|_| free_port());
        let urls = ports.map(|port| format!("http://127.0.0.1:{port}"));
        let mut env: Vec<(String, String)> = vec![
            ("GENUINE_AUTH_SECRET".into(), SECRET.into()),
            ("GENUINE_DATA_DIR".into(), dir.path().display().to_string()),
            ("GENUINE_LOG".into(), "warn".into()),
            ("GENUINE_DATABASE_MAX_CONNECTIONS".into(), "8".into()),
            // After several kills of a peer a message's full-jitter backoff can reach the 5 min
            // default cap, longer than a flow waits for its effect: a slow effect would look
            // lost. The test is about exactly-once, not pacing, so retry at least every 5 s.
            ("GENUINE_OUTBOX_BACKOFF_CAP".into(), "5s".into()),
            (
                "GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW".into(),
                COUNTER_NOTICE_WINDOW.into(),
            ),
            // Many rejected notices from the same few rights holders are part of the mix, not
            // abuse: keep notice processing open for them.
            (
                "GENUINE_ENFORCEMENT_UNFOUNDED_WARNING".into(),
                "1000000".into(),
            ),
            (
                "GENUINE_ENFORCEMENT_UNFOUNDED_SUSPENSION".into(),
                "1000000".into(),
            ),
        ];
        for svc in Svc::ALL {
            let upper = svc.name().to_ascii_uppercase();
            env.push((format!("GENUINE_{upper}_URL"), urls[svc.index()].clone()));
            env.push((
                format!("GENUINE_{upper}_DATABASE_URL"),
                postgres.url(svc.name()),
            ));
        }
        let processes = Svc::ALL.map(|svc| {
            GenuineProcess::spawn(
                svc.name(),
                ports[svc.index()],
                env.clone(),
                &log_dir.join(format!("{}.log", svc.name())),
            )
        });
        let mut services = Self {
            processes,
            endpoints: Endpoints {
                urls,
                issuer: std::sync::Arc::new(
                    TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer"),
                ),
            },
            _dir: dir,
        };
        services.wait_all_serving().await;
        services
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn process(&mut self, svc: Svc) -> &mut GenuineProcess {
        &mut self.processes[svc.index()]
    }

    /// Waits until every service is SERVING (restarting any that exited).
    pub async fn wait_all_serving(&mut self) {
        for process in &mut self.processes {
            process.wait_serving(RECOVERY).await;
        }
    }

    /// A connection to `svc`'s database, for the checks.
    pub async fn database(postgres: &PrivatePostgres, svc: Svc) -> DatabaseConnection {
        Database::connect(postgres.url(svc.name()))
            .await
            .expect("database answers")
    }
}
