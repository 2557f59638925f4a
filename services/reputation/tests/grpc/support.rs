//! Starting the service and calling it as a given principal.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::auth::{Role, ServiceName, TokenRequest};
use genuine_runtime::clock::{ManualClock, from_millis};
use genuine_runtime::errors::{ErrorCode, ServiceError};
use genuine_runtime::storage::testing::TestDatabase;
use genuine_runtime::testing::{ServiceUnderTest, authed};
use sea_orm::{ConnectionTrait, Statement};
use tonic::transport::Channel;
use tonic::{Code, Request, Status};

/// A running reputation service and what a test needs around it.
pub struct Running {
    pub client: SellerReputationServiceClient<Channel>,
    /// The service's URL.
    pub url: String,
    pub clock: ManualClock,
    service: ServiceUnderTest,
}

/// Who calls.
#[derive(Debug, Clone)]
pub enum As {
    Nobody,
    Admin,
    Reviewer,
    Seller(&'static str),
    Regulator(Option<&'static str>),
    Enforcement,
    Listing,
    Consumer,
}

impl Running {
    /// Starts the service on `db`; listing effects go nowhere (they stay queued).
    pub async fn start(db: TestDatabase) -> Self {
        // Nothing listens on port 1: deliveries fail as "unavailable" and are retried later.
        Self::start_with_listing(db, "http://127.0.0.1:1").await
    }

    /// Starts the service on `db`, delivering listing effects to `listing_url`.
    pub async fn start_with_listing(db: TestDatabase, listing_url: &str) -> Self {
        let clock = ManualClock::at(Utc::now());
        let service = ServiceUnderTest::launch(genuine_reputation::NAME, |s, l, c, t| async move {
            genuine_reputation::serve(&s, l, c, t).await
        })
        .database(db)
        .clock(Arc::new(clock.clone()))
        .settings([("GENUINE_LISTING_URL", listing_url)])
        .start()
        .await
        .expect("reputation serves");
        Self {
            client: SellerReputationServiceClient::new(service.channel()),
            url: service.url().to_owned(),
            clock,
            service,
        }
    }

    /// Stops the service and checks it ended cleanly.
    pub async fn stop(mut self) {
        self.service.stop().await.expect("server ended cleanly");
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
            As::Nobody => None,
            As::Admin => Some(TokenRequest::new("admin-1", vec![Role::Admin], ttl)),
            As::Reviewer => Some(TokenRequest::new("reviewer-1", vec![Role::Reviewer], ttl)),
            As::Seller(id) => Some(TokenRequest::new(id, vec![Role::Seller], ttl)),
            As::Regulator(jurisdiction) => {
                let mut t = TokenRequest::new("regulator-1", vec![Role::Regulator], ttl);
                t.jurisdiction = jurisdiction.map(str::to_owned);
                t.agency = Some("AGCM".to_owned());
                Some(t)
            }
            As::Enforcement => Some(TokenRequest::service(ServiceName::Enforcement, ttl)),
            As::Listing => Some(TokenRequest::service(ServiceName::Listing, ttl)),
            As::Consumer => Some(TokenRequest::new("consumer-1", vec![Role::Consumer], ttl)),
        };
        token.map(|token| self.service.token_with(&token))
    }

    /// (kind, key, due_at) of the outbox rows, oldest first.
    pub async fn outbox(&self) -> Vec<(String, String, chrono::DateTime<Utc>)> {
        let db = &self.service.database().db;
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT kind, \"key\", due_at FROM outbox ORDER BY id",
            ))
            .await
            .expect("outbox");
        rows.iter()
            .map(|row| {
                (
                    row.try_get::<String>("", "kind").expect("kind"),
                    row.try_get::<String>("", "key").expect("key"),
                    from_millis(row.try_get::<i64>("", "due_at").expect("due_at")),
                )
            })
            .collect()
    }
}

/// Every backend, each with a running service.
pub async fn each_backend() -> Vec<Running> {
    let mut all = Vec::new();
    for db in TestDatabase::all().await {
        all.push(Running::start(db).await);
    }
    all
}

/// The field names of an INVALID_ARGUMENT status, in order.
pub fn bad_fields(status: &Status) -> Vec<String> {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let error = ServiceError::from_status(status);
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    error
        .field_violations()
        .iter()
        .map(|f| f.field.clone())
        .collect()
}

pub use genuine_reputation::testing::registration;

/// Registers `seller_id` in `country` as an admin.
pub async fn register(running: &Running, seller_id: &str, country: &str) -> pb::Seller {
    let request = registration(&format!("req-{seller_id}"), seller_id, country);
    running
        .client
        .clone()
        .register_seller(running.req(As::Admin, request))
        .await
        .expect("register")
        .into_inner()
        .seller
        .expect("seller")
}
