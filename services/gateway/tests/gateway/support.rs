//! Starts the services that exist in-process (each on a fresh database) and the gateway in front
//! of them, and talks to the gateway over real HTTP.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use genuine_contracts::genuine::reputation::v1 as rep;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::clock;
use genuine_runtime::config::Source;
use genuine_runtime::storage::testing::TestDatabase;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

pub const SECRET: &str = "gateway-test-secret-of-sufficient-length";
/// Nothing listens here: calls fail at once with UNAVAILABLE.
pub const DEAD: &str = "http://127.0.0.1:1";
/// Every gateway scope.
pub const ALL_SCOPES: [&str; 8] = [
    "cases:read",
    "notices:write",
    "notices:read",
    "traders:read",
    "inspections:write",
    "statements:read",
    "reports:read",
    "audit:read",
];

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Extra gateway settings, e.g. rate limits.
    pub settings: Vec<(&'static str, String)>,
    /// Leave reputation down (its URL points nowhere).
    pub reputation_down: bool,
}

/// A running gateway with the services behind it.
pub struct Suite {
    pub base: String,
    pub reputation: Option<SellerReputationServiceClient<Channel>>,
    pub audit_file: PathBuf,
    issuer: TokenIssuer,
    http: Client<HttpConnector, Full<Bytes>>,
    shutdown: CancellationToken,
    tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    _dbs: Vec<TestDatabase>,
    _dir: tempfile::TempDir,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a problem-details answer with `status` and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.headers["content-type"], "application/problem+json",
            "{self:?}"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["title"].is_string() && problem["detail"].is_string());
        problem
    }

    /// Asserts `status` and returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> serde_json::Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }
}

/// Who holds the token.
#[derive(Debug, Clone)]
pub struct Token {
    pub subject: &'static str,
    pub roles: Vec<Role>,
    pub jurisdiction: Option<&'static str>,
    pub scopes: Vec<&'static str>,
}

impl Token {
    /// A regulator of `jurisdiction` holding every scope.
    pub fn regulator(subject: &'static str, jurisdiction: &'static str) -> Self {
        Self {
            subject,
            roles: vec![Role::Regulator],
            jurisdiction: Some(jurisdiction),
            scopes: ALL_SCOPES.to_vec(),
        }
    }

    pub fn with_scopes(mut self, scopes: &[&'static str]) -> Self {
        self.scopes = scopes.to_vec();
        self
    }
}

impl Suite {
    /// Reputation on a fresh SQLite database (listing and enforcement down until their crates
    /// serve), and the gateway in front.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        genuine_runtime::telemetry::init_for_tests();
        let shutdown = CancellationToken::new();
        let mut tasks = Vec::new();
        let mut dbs = Vec::new();
        let mut reputation_url = DEAD.to_owned();
        let mut reputation = None;
        if !options.reputation_down {
            let db = TestDatabase::sqlite().await;
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            reputation_url = format!("http://{}", listener.local_addr().expect("addr"));
            let source = Source::from_map([
                ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
                ("GENUINE_REPUTATION_DATABASE_URL", db.url.clone()),
                ("GENUINE_LISTING_URL", DEAD.to_owned()),
            ]);
            let stop = shutdown.clone();
            tasks.push((
                "reputation",
                tokio::spawn(async move {
                    genuine_reputation::serve(&source, listener, clock::system(), stop).await
                }),
            ));
            dbs.push(db);
            let channel = Channel::from_shared(reputation_url.clone())
                .expect("endpoint")
                .connect_lazy();
            reputation = Some(SellerReputationServiceClient::new(channel));
        }

        let dir = tempfile::tempdir().expect("temp dir");
        let audit_file = dir.path().join("access.jsonl");
        let mut settings = vec![
            ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
            ("GENUINE_REPUTATION_URL", reputation_url),
            ("GENUINE_LISTING_URL", DEAD.to_owned()),
            ("GENUINE_ENFORCEMENT_URL", DEAD.to_owned()),
            (
                "GENUINE_GATEWAY_AUDIT_FILE",
                audit_file.display().to_string(),
            ),
        ];
        settings.extend(options.settings);
        let source = Source::from_map(settings);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = shutdown.clone();
        tasks.push((
            "gateway",
            tokio::spawn(async move {
                genuine_gateway::serve(&source, listener, clock::system(), stop).await
            }),
        ));

        let suite = Self {
            base,
            reputation,
            audit_file,
            issuer: TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer"),
            http: Client::builder(TokioExecutor::new()).build_http(),
            shutdown,
            tasks,
            _dbs: dbs,
            _dir: dir,
        };
        suite.wait_until_up().await;
        suite
    }

    async fn wait_until_up(&self) {
        for _ in 0..100 {
            if let Ok(answer) = self
                .try_send(Method::GET, "/healthz", None, None, &[])
                .await
                && answer.status == StatusCode::OK
            {
                if let Some(client) = &self.reputation {
                    let probe = client
                        .clone()
                        .get_seller_standing(self.grpc(
                            Role::Admin,
                            rep::GetSellerStandingRequest {
                                seller_id: "probe".into(),
                            },
                        ))
                        .await;
                    if matches!(&probe, Err(s) if s.code() == tonic::Code::Unavailable) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the suite did not start");
    }

    /// Stops everything and checks each task ended cleanly.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for (name, task) in self.tasks {
            task.await
                .expect("task")
                .unwrap_or_else(|e| panic!("{name} ended with {e:#}"));
        }
    }

    /// A signed token.
    pub fn token(&self, who: &Token) -> String {
        self.token_at(who, SystemTime::now())
    }

    /// A token issued at `issued_at` (valid 5 minutes from then).
    pub fn token_at(&self, who: &Token, issued_at: SystemTime) -> String {
        let request = TokenRequest {
            subject: who.subject.to_owned(),
            roles: who.roles.clone(),
            agency: Some(format!("Agency of {}", who.subject)),
            jurisdiction: who.jurisdiction.map(str::to_owned),
            scopes: who.scopes.iter().map(|s| (*s).to_owned()).collect(),
            ttl: Duration::from_secs(300),
        };
        self.issuer.mint_at(&request, issued_at).expect("mint")
    }

    /// A gRPC request carrying a token with `role` (for seeding data behind the gateway).
    pub fn grpc<T>(&self, role: Role, message: T) -> tonic::Request<T> {
        let token = self
            .issuer
            .mint(&TokenRequest::new(
                role.as_str(),
                vec![role],
                Duration::from_secs(300),
            ))
            .expect("mint");
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
        request
    }

    /// Registers a trader in `country` through reputation, as an admin.
    pub async fn register_seller(&self, seller_id: &str, country: &str) {
        let client = self.reputation.clone().expect("reputation runs");
        let request = rep::RegisterSellerRequest {
            request_id: format!("req-{seller_id}"),
            seller_id: seller_id.into(),
            legal_name: "Rossi Pelletteria S.r.l.".into(),
            display_name: format!("Shop {seller_id}"),
            email: "info@rossi.example.it".into(),
            phone: "+39 055 123 4567".into(),
            address: Some(rep::Address {
                lines: vec!["Via Roma 1".into()],
                city: "Firenze".into(),
                region: "FI".into(),
                postal_code: "50123".into(),
                country_code: country.into(),
            }),
            trade_register_name: "Registro delle Imprese".into(),
            trade_register_number: "FI-123456".into(),
            id_document_ref: "doc-1".into(),
            payment_account_ref: "acct-1".into(),
            self_certified: true,
        };
        let mut client = client;
        client
            .register_seller(self.grpc(Role::Admin, request))
            .await
            .expect("seller registered");
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &serde_json::Value) -> Answer {
        let bytes = serde_json::to_vec(body).expect("json");
        self.send(
            Method::POST,
            path,
            token,
            Some(bytes),
            &[("content-type", "application/json")],
        )
        .await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.try_send(method, path, token, body, headers)
            .await
            .expect("HTTP exchange")
    }

    async fn try_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// The access-audit records written so far.
    pub fn audit_records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit_file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    }
}
