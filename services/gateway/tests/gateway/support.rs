//! Starts listing, reputation and enforcement in-process (each on a fresh database: PostgreSQL
//! when `GENUINE_TEST_POSTGRES_URL` is set, SQLite otherwise) and the gateway in front of them,
//! and talks to the gateway over real HTTP.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use genuine_contracts::genuine::enforcement::v1 as enf;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_contracts::genuine::listing::v1 as lst;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::reputation::v1 as rep;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::clock;
use genuine_runtime::config::Source;
use genuine_runtime::testing::{Launch, ServiceUnderTest, authed, issuer};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

pub use genuine_runtime::testing::SECRET;
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
    /// Services left down (their URLs point nowhere): `listing`, `reputation`, `enforcement`.
    pub down: Vec<&'static str>,
}

/// The three services, in start order.
const SERVICES: [&str; 3] = ["reputation", "listing", "enforcement"];

/// A running gateway with the services behind it.
pub struct Suite {
    pub base: String,
    pub reputation: Option<SellerReputationServiceClient<Channel>>,
    pub listing: Option<ListingServiceClient<Channel>>,
    pub enforcement: Option<EnforcementServiceClient<Channel>>,
    pub audit_file: PathBuf,
    services: Vec<ServiceUnderTest>,
    issuer: TokenIssuer,
    http: Client<HttpConnector, Full<Bytes>>,
    shutdown: CancellationToken,
    gateway: JoinHandle<anyhow::Result<()>>,
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
    pub subject: String,
    pub roles: Vec<Role>,
    pub jurisdiction: Option<&'static str>,
    pub scopes: Vec<&'static str>,
}

impl Token {
    /// A regulator of `jurisdiction` holding every scope.
    pub fn regulator(subject: impl Into<String>, jurisdiction: &'static str) -> Self {
        Self {
            subject: subject.into(),
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
        let dir = tempfile::tempdir().expect("temp dir");
        let mut listeners = Vec::new();
        let mut urls = std::collections::HashMap::new();
        for name in SERVICES {
            if options.down.contains(&name) {
                urls.insert(name, DEAD.to_owned());
            } else {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                urls.insert(
                    name,
                    format!("http://{}", listener.local_addr().expect("addr")),
                );
                listeners.push((name, listener));
            }
        }
        let peers = [
            ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
            ("GENUINE_LISTING_URL", urls["listing"].clone()),
            ("GENUINE_REPUTATION_URL", urls["reputation"].clone()),
            ("GENUINE_ENFORCEMENT_URL", urls["enforcement"].clone()),
            ("GENUINE_DATA_DIR", dir.path().display().to_string()),
            ("GENUINE_SHUTDOWN_GRACE", "1s".to_owned()),
        ];
        let mut services = Vec::new();
        for (name, listener) in listeners {
            let service = launch(name)
                .listener(listener)
                .settings(peers.clone())
                .spawn()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            services.push(service);
        }
        let client = |name: &str| {
            services
                .iter()
                .find(|service| service.name() == name)
                .map(ServiceUnderTest::channel)
        };
        let reputation = client("reputation").map(SellerReputationServiceClient::new);
        let listing = client("listing").map(ListingServiceClient::new);
        let enforcement = client("enforcement").map(EnforcementServiceClient::new);

        let audit_file = dir.path().join("access.jsonl");
        let mut settings = peers.to_vec();
        settings.push((
            "GENUINE_GATEWAY_AUDIT_FILE",
            audit_file.display().to_string(),
        ));
        settings.extend(options.settings);
        let source = Source::from_map(settings);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = shutdown.clone();
        let gateway = tokio::spawn(async move {
            genuine_gateway::serve(&source, listener, clock::system(), stop).await
        });

        let mut suite = Self {
            base,
            reputation,
            listing,
            enforcement,
            audit_file,
            services,
            issuer: issuer(),
            http: Client::builder(TokioExecutor::new()).build_http(),
            shutdown,
            gateway,
            _dir: dir,
        };
        suite.wait_until_up().await;
        suite
    }

    async fn wait_until_up(&mut self) {
        for service in &mut self.services {
            let name = service.name();
            service
                .wait_serving()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        for _ in 0..200 {
            let gateway_up = matches!(
                self.try_send(Method::GET, "/healthz", None, None, &[]).await,
                Ok(answer) if answer.status == StatusCode::OK
            );
            if gateway_up {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gateway did not start");
    }

    /// Stops everything and checks each ended cleanly.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        for service in &mut self.services {
            let name = service.name();
            service
                .stop()
                .await
                .unwrap_or_else(|e| panic!("{name} ended with {e:#}"));
        }
        self.gateway
            .await
            .expect("task")
            .unwrap_or_else(|e| panic!("gateway ended with {e:#}"));
    }

    /// A signed token.
    pub fn token(&self, who: &Token) -> String {
        self.token_at(who, SystemTime::now())
    }

    /// A token issued at `issued_at` (valid 5 minutes from then).
    pub fn token_at(&self, who: &Token, issued_at: SystemTime) -> String {
        let request = TokenRequest {
            subject: who.subject.clone(),
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
        self.grpc_as(role.as_str(), role, message)
    }

    /// A gRPC request carrying a token for `subject` with `role`.
    pub fn grpc_as<T>(&self, subject: &str, role: Role, message: T) -> tonic::Request<T> {
        let token = self
            .issuer
            .mint(&TokenRequest::new(
                subject,
                vec![role],
                Duration::from_secs(300),
            ))
            .expect("mint");
        authed(message, &token)
    }

    /// A listing of `seller_id` (registered in reputation first), created as that seller.
    pub async fn create_listing(&self, seller_id: &str, title: &str) -> String {
        let mut client = self.listing.clone().expect("listing runs");
        let request = lst::CreateListingRequest {
            request_id: format!("req-{seller_id}-{title}"),
            seller_id: seller_id.into(),
            title: title.into(),
            description: "Leather, brown, in good condition.".into(),
            category: "handbags".into(),
            price: Some(genuine_contracts::genuine::common::v1::Money {
                currency_code: "EUR".into(),
                units: 120,
                nanos: 0,
            }),
            images: Vec::new(),
        };
        client
            .create_listing(self.grpc_as(seller_id, Role::Seller, request))
            .await
            .expect("listing created")
            .into_inner()
            .listing
            .expect("listing")
            .listing_id
    }

    /// A reviewer upholds `case_id`.
    pub async fn uphold(&self, case_id: &str) {
        let mut client = self.enforcement.clone().expect("enforcement runs");
        let request = enf::DecideCaseRequest {
            case_id: case_id.into(),
            outcome: enf::CaseOutcome::Uphold as i32,
            explanation: "Counterfeit confirmed by the regulator's seizure report.".into(),
            severity: enf::Severity::High as i32,
        };
        client
            .decide_case(self.grpc_as("reviewer-1", Role::Reviewer, request))
            .await
            .expect("case decided");
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

/// How to start service `name` of [`SERVICES`].
fn launch(name: &'static str) -> Launch {
    match name {
        "listing" => ServiceUnderTest::launch(name, |s, l, c, t| async move {
            genuine_listing::serve(&s, l, c, t).await
        }),
        "reputation" => ServiceUnderTest::launch(name, |s, l, c, t| async move {
            genuine_reputation::serve(&s, l, c, t).await
        }),
        _ => ServiceUnderTest::launch(name, |s, l, c, t| async move {
            genuine_enforcement::serve(&s, l, c, t).await
        }),
    }
}

/// A regulator notice (filed with `token` through the gateway) on a fresh listing of an IT
/// seller, upheld by a reviewer; returns the case id.
pub async fn upheld_case(suite: &Suite, token: &str) -> String {
    suite.register_seller("s-it", "IT").await;
    let listing = suite.create_listing("s-it", "Brown tote").await;
    let notice = serde_json::json!({
        "ground": "NOTICE_GROUND_COUNTERFEIT",
        "listingIds": [listing],
        "explanation": "Goods seized at the border carried this listing's reference.",
        "goodFaithDeclaration": true
    });
    let filed = suite
        .post("/v1/notices", Some(token), &notice)
        .await
        .ok(201);
    let case_id = filed["caseIds"][0].as_str().expect("case").to_owned();
    suite.uphold(&case_id).await;
    case_id
}
