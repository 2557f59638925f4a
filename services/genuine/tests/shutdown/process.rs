//! The listing service as a real process of the `genuine` binary, and the black hole it calls.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

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
    child: Child,
    url: String,
    dir: tempfile::TempDir,
    issuer: TokenIssuer,
}

impl Drop for Listing {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
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
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            probe.local_addr().expect("addr").port()
        };
        let ms = |d: Duration| format!("{}ms", d.as_millis());
        let log = std::fs::File::create(dir.path().join("listing.log")).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_genuine"))
            .args(["serve", "listing"])
            .env("GENUINE_AUTH_SECRET", SECRET)
            .env("GENUINE_LISTING_LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("GENUINE_DATA_DIR", dir.path())
            .env("GENUINE_LISTING_DATABASE_URL", database_url(dir.path()))
            .env("GENUINE_REPUTATION_URL", reputation)
            .env("GENUINE_ENFORCEMENT_URL", "http://127.0.0.1:1")
            .env("GENUINE_LISTING_STANDING_DEADLINE", ms(standing_deadline))
            .env("GENUINE_LISTING_NOT_SERVING_DELAY", ms(not_serving_delay))
            .env("GENUINE_LISTING_SHUTDOWN_GRACE", ms(grace))
            .env("GENUINE_LOG", "info")
            .env("GENUINE_LOG_FORMAT", "json")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("genuine starts");
        let listing = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
            issuer: TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !serving(&listing.url).await {
            assert!(
                Instant::now() < deadline,
                "never SERVING\n{}",
                listing.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        listing
    }

    pub fn url(&self) -> String {
        self.url.clone()
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
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
        sent
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the process logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("listing.log")).unwrap_or_default()
    }
}

fn database_url(dir: &std::path::Path) -> String {
    let path: PathBuf = dir.join("listing.db");
    format!("sqlite://{}?mode=rwc", path.display())
}

pub fn eur(units: i64) -> Money {
    Money {
        currency_code: "EUR".to_owned(),
        units,
        nanos: 0,
    }
}

pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii"),
    );
    request
}

async fn serving(url: &str) -> bool {
    let Ok(channel) = Channel::from_shared(url.to_owned())
        .expect("url")
        .connect()
        .await
    else {
        return false;
    };
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving)
}
