//! Starting the service and calling it as a given principal.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_runtime::auth::{Role, ServiceName, TokenIssuer, TokenRequest};
use genuine_runtime::clock::ManualClock;
use genuine_runtime::config::Source;
use genuine_runtime::storage::testing::TestDatabase;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};

use super::fakes::Peers;

const SECRET: &str = "grpc-test-secret-of-sufficient-length";

/// A running enforcement service, its fake peers and what a test needs around it.
pub struct Running {
    pub client: EnforcementServiceClient<Channel>,
    /// The service's URL.
    pub url: String,
    pub clock: ManualClock,
    pub db: TestDatabase,
    pub peers: Peers,
    data_dir: TempDir,
    issuer: TokenIssuer,
    shutdown: CancellationToken,
    peers_shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

/// Who calls.
#[derive(Debug, Clone, Copy)]
pub enum As {
    Nobody,
    Admin,
    Reviewer(&'static str),
    Seller(&'static str),
    RightsHolder(&'static str),
    Consumer(&'static str),
    Regulator(&'static str, Option<&'static str>),
    Listing,
    Reputation,
}

impl Running {
    /// Every backend, each with a running service.
    pub async fn all() -> Vec<Self> {
        let mut out = Vec::new();
        for db in TestDatabase::all().await {
            out.push(Self::start(db).await);
        }
        out
    }

    /// Starts the service on `db` with fresh fake peers.
    pub async fn start(db: TestDatabase) -> Self {
        let clock = ManualClock::at(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
        );
        let data_dir = tempfile::tempdir().expect("data dir");
        Self::launch(db, clock, data_dir, Peers::default()).await
    }

    async fn launch(db: TestDatabase, clock: ManualClock, data_dir: TempDir, peers: Peers) -> Self {
        let peers_shutdown = CancellationToken::new();
        let peers_url = peers.start(peers_shutdown.clone()).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let source = Source::from_map([
            ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
            ("GENUINE_ENFORCEMENT_DATABASE_URL", db.url.clone()),
            (
                "GENUINE_DATA_DIR",
                data_dir.path().to_string_lossy().into_owned(),
            ),
            ("GENUINE_LISTING_URL", peers_url.clone()),
            ("GENUINE_REPUTATION_URL", peers_url),
            (
                "GENUINE_ENFORCEMENT_DEADLINE_SWEEP_INTERVAL",
                "50ms".to_owned(),
            ),
        ]);
        let shutdown = CancellationToken::new();
        let (serve_clock, serve_shutdown) = (clock.clone(), shutdown.clone());
        let task = tokio::spawn(async move {
            genuine_enforcement::serve(&source, listener, Arc::new(serve_clock), serve_shutdown)
                .await
        });
        let url = format!("http://{addr}");
        let channel = Channel::from_shared(url.clone())
            .expect("endpoint")
            .connect_lazy();
        let issuer = TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer");
        let running = Self {
            client: EnforcementServiceClient::new(channel),
            url,
            clock,
            db,
            peers,
            data_dir,
            issuer,
            shutdown,
            peers_shutdown,
            task,
        };
        running.wait_until_serving().await;
        running
    }

    async fn wait_until_serving(&self) {
        for _ in 0..200 {
            let probe = self
                .client
                .clone()
                .get_audit_log_head(self.req(As::Admin, pb::GetAuditLogHeadRequest {}))
                .await;
            if probe.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the service did not start");
    }

    /// Stops the service and checks it ended cleanly; answers what a restart needs.
    async fn halt(self) -> (TestDatabase, ManualClock, TempDir, Peers) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("server task")
            .expect("server ended cleanly");
        self.peers_shutdown.cancel();
        (self.db, self.clock, self.data_dir, self.peers)
    }

    /// Stops the service.
    pub async fn stop(self) {
        self.halt().await;
    }

    /// Stops and starts the service again on the same database, data directory and clock.
    pub async fn restart(self) -> Self {
        let (db, clock, data_dir, peers) = self.halt().await;
        Self::launch(db, clock, data_dir, peers).await
    }

    /// A request carrying the token of `who`.
    pub fn req<T>(&self, who: As, message: T) -> Request<T> {
        let mut request = Request::new(message);
        if let Some(jwt) = self.token(who) {
            let value = format!("Bearer {jwt}").parse().expect("header");
            request.metadata_mut().insert("authorization", value);
        }
        request
    }

    /// A token for `who` (none for `As::Nobody`).
    pub fn token(&self, who: As) -> Option<String> {
        let ttl = Duration::from_secs(600);
        let token = match who {
            As::Nobody => return None,
            As::Admin => TokenRequest::new("admin-1", vec![Role::Admin], ttl),
            As::Reviewer(id) => TokenRequest::new(id, vec![Role::Reviewer], ttl),
            As::Seller(id) => TokenRequest::new(id, vec![Role::Seller], ttl),
            As::RightsHolder(id) => TokenRequest::new(id, vec![Role::RightsHolder], ttl),
            As::Consumer(id) => TokenRequest::new(id, vec![Role::Consumer], ttl),
            As::Regulator(id, jurisdiction) => {
                let mut t = TokenRequest::new(id, vec![Role::Regulator], ttl);
                t.jurisdiction = jurisdiction.map(str::to_owned);
                t.agency = Some("Bundesnetzagentur".to_owned());
                t
            }
            As::Listing => TokenRequest::service(ServiceName::Listing, ttl),
            As::Reputation => TokenRequest::service(ServiceName::Reputation, ttl),
        };
        Some(self.issuer.mint(&token).expect("mint"))
    }

    /// Waits until the fakes received `count` calls of `method` (outbox delivery is async).
    pub async fn delivered(&self, method: &str, count: usize) -> Vec<String> {
        for _ in 0..200 {
            let keys = self.peers.keys(method);
            if keys.len() >= count {
                return keys;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "{method} delivered {:?}, expected {count}",
            self.peers.keys(method)
        );
    }

    /// A complete rights-holder notice from `brand` about `listings`.
    pub fn notice(request_id: &str, brand: &str, listings: &[&str]) -> pb::SubmitNoticeRequest {
        pb::SubmitNoticeRequest {
            request_id: request_id.to_owned(),
            source: pb::NoticeSource::RightsHolder.into(),
            notifier: Some(pb::Notifier {
                notifier_id: brand.to_owned(),
                name: "Acme Legal".into(),
                email: "legal@acme.example".into(),
                organization: "Acme".into(),
            }),
            ground: pb::NoticeGround::Counterfeit.into(),
            listing_ids: listings.iter().map(|l| (*l).to_owned()).collect(),
            brand_id: Some("acme".into()),
            explanation: "Logo and serial numbers do not match genuine goods.".into(),
            evidence_urls: vec!["https://acme.example/evidence/1".into()],
            good_faith_declaration: true,
            jurisdiction: "DE".into(),
            automated_detection: None,
        }
    }

    /// Submits a notice and answers its first case id.
    pub async fn submit(&self, who: As, notice: pb::SubmitNoticeRequest) -> String {
        let response = self
            .client
            .clone()
            .submit_notice(self.req(who, notice))
            .await
            .expect("submitted");
        response
            .into_inner()
            .notice
            .expect("notice")
            .case_ids
            .remove(0)
    }

    /// Reads a case as an admin.
    pub async fn case(&self, case_id: &str) -> pb::Case {
        let request = self.req(
            As::Admin,
            pb::GetCaseRequest {
                case_id: case_id.to_owned(),
            },
        );
        self.client
            .clone()
            .get_case(request)
            .await
            .expect("case")
            .into_inner()
            .r#case
            .expect("case")
    }

    /// Upholds a case as `reviewer`.
    pub async fn uphold(&self, reviewer: &'static str, case_id: &str) -> pb::Case {
        let request = pb::DecideCaseRequest {
            case_id: case_id.to_owned(),
            outcome: pb::CaseOutcome::Uphold.into(),
            explanation: "Counterfeit confirmed by test purchase.".into(),
            severity: pb::Severity::High.into(),
        };
        let response = self
            .client
            .clone()
            .decide_case(self.req(As::Reviewer(reviewer), request))
            .await
            .expect("decided");
        response.into_inner().r#case.expect("case")
    }
}

/// The code of a failed call.
pub fn code<T: std::fmt::Debug>(result: Result<T, Status>) -> Code {
    result.expect_err("the call fails").code()
}

/// The bad-request field names of a failed call.
pub fn fields(status: &Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}
