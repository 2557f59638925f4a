//! Starting the service and calling it as a given principal.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_runtime::auth::{Role, ServiceName, TokenRequest};
use genuine_runtime::clock::ManualClock;
use genuine_runtime::storage::testing::TestDatabase;
use genuine_runtime::testing::{ServiceUnderTest, authed};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};

use super::fakes::Peers;

/// A running enforcement service, its fake peers and what a test needs around it.
pub struct Running {
    pub client: EnforcementServiceClient<Channel>,
    /// The service's URL.
    pub url: String,
    pub clock: ManualClock,
    pub peers: Peers,
    service: ServiceUnderTest,
    peers_shutdown: CancellationToken,
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

    /// Starts the service on `db` with fresh fake peers (listing and reputation both).
    pub async fn start(db: TestDatabase) -> Self {
        let clock = ManualClock::at(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
        );
        let peers = Peers::default();
        let peers_shutdown = CancellationToken::new();
        let peers_url = peers.start(peers_shutdown.clone()).await;
        let service =
            ServiceUnderTest::launch(genuine_enforcement::NAME, |s, l, c, t| async move {
                genuine_enforcement::serve(&s, l, c, t).await
            })
            .database(db)
            .clock(Arc::new(clock.clone()))
            .settings([
                ("GENUINE_LISTING_URL", peers_url.as_str()),
                ("GENUINE_REPUTATION_URL", peers_url.as_str()),
                ("GENUINE_ENFORCEMENT_DEADLINE_SWEEP_INTERVAL", "50ms"),
            ])
            .start()
            .await
            .expect("enforcement serves");
        Self {
            client: EnforcementServiceClient::new(service.channel()),
            url: service.url().to_owned(),
            clock,
            peers,
            service,
            peers_shutdown,
        }
    }

    /// The service's database.
    pub fn db(&self) -> &TestDatabase {
        self.service.database()
    }

    /// Stops the service, checking it ended cleanly, and its fake peers.
    pub async fn stop(mut self) {
        self.service.stop().await.expect("server ended cleanly");
        self.peers_shutdown.cancel();
    }

    /// Stops and starts the service again on the same database, data directory and clock (the
    /// fake peers keep running and keep what they received).
    pub async fn restart(mut self) -> Self {
        self.service.restart().await.expect("restarted cleanly");
        self
    }

    /// A request carrying the token of `who`.
    pub fn req<T>(&self, who: As, message: T) -> Request<T> {
        match self.token(who) {
            Some(jwt) => authed(message, &jwt),
            None => Request::new(message),
        }
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
        Some(self.service.token_with(&token))
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
