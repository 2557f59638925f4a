//! The listing service as a real process of the `genuine` binary, and the black hole it calls.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tonic::transport::Channel;

use crate::support::grpc::{authed, eur};
use crate::support::process::{GenuineProcess, free_port};

const SECRET: &str = "shutdown-test-secret-long-enough-0123";

/// A server that accepts connections and never answers, so callers wait out their deadline.
pub async fn black_hole() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// `genuine serve listing` on a fresh SQLite file; killed if the test ends before it exits.
pub struct Listing {
    process: GenuineProcess,
    dir: tempfile::TempDir,
    issuer: TokenIssuer,
}

impl Listing {
    /// Starts it (enforcement down, reputation `reputation`) and waits until SERVING.
    pub async fn start(
        reputation: &str,
        not_serving_delay: Duration,
        grace: Duration,
        standing_deadline: Duration,
    ) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let ms = |d: Duration| format!("{}ms", d.as_millis());
        let env = [
            ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
            ("GENUINE_DATA_DIR", dir.path().display().to_string()),
            ("GENUINE_LISTING_DATABASE_URL", database_url(dir.path())),
            ("GENUINE_REPUTATION_URL", reputation.to_owned()),
            ("GENUINE_ENFORCEMENT_URL", "http://127.0.0.1:1".to_owned()),
            ("GENUINE_LISTING_STANDING_DEADLINE", ms(standing_deadline)),
            ("GENUINE_LISTING_NOT_SERVING_DELAY", ms(not_serving_delay)),
            ("GENUINE_LISTING_SHUTDOWN_GRACE", ms(grace)),
            ("GENUINE_LOG", "info".to_owned()),
            ("GENUINE_LOG_FORMAT", "json".to_owned()),
        ]
        .map(|(k, v)| (k.to_owned(), v))
        .to_vec();
        let mut process =
            GenuineProcess::spawn("listing", free_port(), env, &dir.path().join("listing.log"));
        process.wait_serving(Duration::from_secs(60)).await;
        Self {
            process,
            dir,
            issuer: TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer"),
        }
    }

    pub fn url(&self) -> String {
        self.process.url()
    }

    pub fn database_url(&self) -> String {
        database_url(self.dir.path())
    }

    /// A token for `subject` acting as `role`.
    pub fn token(&self, role: Role, subject: &str) -> String {
        let request = TokenRequest::new(subject, vec![role], Duration::from_secs(600));
        self.issuer.mint(&request).expect("mint")
    }

    /// A brand with a reference price, so cheap listings naming it are held or blocked.
    pub async fn register_brand(&self) {
        let channel = Channel::from_shared(self.url())
            .expect("url")
            .connect_lazy();
        let mut client = pb::listing_service_client::ListingServiceClient::new(channel);
        let request = pb::RegisterBrandRequest {
            request_id: "brand-luxe".to_owned(),
            display_name: "Luxe Paris".to_owned(),
            aliases: Vec::new(),
            owner_id: "rh-luxe".to_owned(),
            reference_prices: vec![pb::ReferencePrice {
                category: "handbags".to_owned(),
                price: Some(eur(1000)),
            }],
        };
        client
            .register_brand(authed(request, &self.token(Role::RightsHolder, "rh-luxe")))
            .await
            .expect("register brand");
    }

    /// Sends SIGTERM; the moment it was sent.
    pub fn terminate(&self) -> Instant {
        self.process.terminate()
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        self.process.wait_exit(limit)
    }

    /// What the process logged.
    pub fn log(&self) -> String {
        self.process.log()
    }
}

fn database_url(dir: &std::path::Path) -> String {
    let path: PathBuf = dir.join("listing.db");
    format!("sqlite://{}?mode=rwc", path.display())
}
