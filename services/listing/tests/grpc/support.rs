//! A listing service started through `serve` on 127.0.0.1:0 with a fresh database, fake peers,
//! and tokens minted with the suite's secret.

use std::time::Duration;

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_runtime::auth::{Role, ServiceName, TokenRequest};
use genuine_runtime::storage::testing::TestDatabase;
use genuine_runtime::testing::{ServiceUnderTest, authed};
use tokio::net::TcpListener;
use tokio_util::sync::{CancellationToken, DropGuard};
use tonic::transport::Channel;

use super::fakes::{FakeEnforcement, FakeReputation, serve_fakes};

/// A running listing service and its peers.
pub struct Suite {
    pub client: ListingServiceClient<Channel>,
    /// The service's URL.
    pub url: String,
    pub reputation: FakeReputation,
    pub enforcement: FakeEnforcement,
    service: ServiceUnderTest,
    /// Stops the fakes when the suite goes, however the test ends.
    _fakes: DropGuard,
}

/// Where seller-reputation is for a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The fake answers.
    Up,
    /// Nothing listens at its address.
    Down,
}

impl Suite {
    /// Starts on SQLite with seller-reputation up.
    pub async fn start() -> Self {
        Self::start_on(TestDatabase::sqlite().await, Peer::Up).await
    }

    /// Starts on `db` with seller-reputation `peer`.
    pub async fn start_on(db: TestDatabase, peer: Peer) -> Self {
        Self::start_with(db, peer, &[]).await
    }

    /// Starts on `db` with seller-reputation `peer` and `settings` over the defaults.
    pub async fn start_with(db: TestDatabase, peer: Peer, settings: &[(&str, &str)]) -> Self {
        let fakes = CancellationToken::new();
        let reputation = FakeReputation::default();
        let enforcement = FakeEnforcement::default();
        let (mut reputation_url, enforcement_url) =
            serve_fakes(reputation.clone(), enforcement.clone(), fakes.clone()).await;
        if peer == Peer::Down {
            // A port that was free a moment ago: nothing listens there.
            let spare = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            reputation_url = format!("http://{}", spare.local_addr().expect("addr"));
            drop(spare);
        }
        let service = ServiceUnderTest::launch(genuine_listing::NAME, |s, l, c, t| async move {
            genuine_listing::serve(&s, l, c, t).await
        })
        .database(db)
        .settings([
            ("GENUINE_REPUTATION_URL", reputation_url.as_str()),
            ("GENUINE_ENFORCEMENT_URL", enforcement_url.as_str()),
            ("GENUINE_LISTING_CATALOG_RELOAD_INTERVAL", "0s"),
            ("GENUINE_LISTING_SHUTDOWN_GRACE", "1s"),
        ])
        .settings(settings.iter().copied())
        .start()
        .await
        .expect("listing serves");
        Self {
            client: ListingServiceClient::new(service.channel()),
            url: service.url().to_owned(),
            reputation,
            enforcement,
            service,
            _fakes: fakes.drop_guard(),
        }
    }

    /// A token for `subject` with `roles`.
    pub fn token(&self, subject: &str, roles: Vec<Role>) -> String {
        self.service
            .token_with(&TokenRequest::new(subject, roles, Duration::from_secs(600)))
    }

    /// `message` carrying a bearer token for `subject` with `roles`.
    pub fn request<T>(&self, subject: &str, roles: Vec<Role>, message: T) -> tonic::Request<T> {
        authed(message, &self.token(subject, roles))
    }

    pub fn as_admin<T>(&self, message: T) -> tonic::Request<T> {
        self.request("admin-1", vec![Role::Admin], message)
    }

    pub fn as_rights_holder<T>(&self, subject: &str, message: T) -> tonic::Request<T> {
        self.request(subject, vec![Role::RightsHolder], message)
    }

    pub fn as_seller<T>(&self, seller: &str, message: T) -> tonic::Request<T> {
        self.request(seller, vec![Role::Seller], message)
    }

    pub fn as_service<T>(&self, service: ServiceName, message: T) -> tonic::Request<T> {
        self.request(service.as_str(), vec![Role::Service(service)], message)
    }

    /// Notices enforcement received, waiting up to 5 s for at least `count`.
    pub async fn notices(
        &self,
        count: usize,
    ) -> Vec<genuine_contracts::genuine::enforcement::v1::SubmitNoticeRequest> {
        for _ in 0..200 {
            let notices = self.enforcement.notices.lock().expect("lock").clone();
            if notices.len() >= count {
                return notices;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.enforcement.notices.lock().expect("lock").clone()
    }

    /// Stops the service and waits for it to drain.
    pub async fn stop(mut self) {
        self.service.stop().await.expect("clean shutdown");
    }
}

/// Money in euros.
pub fn eur(units: i64) -> genuine_contracts::genuine::common::v1::Money {
    genuine_contracts::genuine::common::v1::Money {
        currency_code: "EUR".into(),
        units,
        nanos: 0,
    }
}

/// A create request for `seller`.
pub fn listing(
    seller: &str,
    request_id: &str,
    title: &str,
    price: i64,
) -> pb::CreateListingRequest {
    pb::CreateListingRequest {
        request_id: request_id.into(),
        seller_id: seller.into(),
        title: title.into(),
        description: "Leather, brown, in good condition.".into(),
        category: "handbags".into(),
        price: Some(eur(price)),
        images: Vec::new(),
    }
}

/// A photo-like PNG or JPEG: waves of several frequencies with 1/f amplitudes (high PDQ
/// quality); `seed` changes it.
pub fn photo(seed: u64, format: image::ImageFormat) -> Vec<u8> {
    use std::f64::consts::TAU;
    let (width, height) = (240_u32, 180_u32);
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut waves = Vec::new();
    for fx in 0..8_i32 {
        for fy in -7..8_i32 {
            if fx == 0 && fy <= 0 {
                continue;
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let phase = (state % 10_000) as f64 / 10_000.0 * TAU;
            waves.push((
                f64::from(fx),
                f64::from(fy),
                1.0 / f64::from(fx * fx + fy * fy).sqrt(),
                phase,
            ));
        }
    }
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (
            f64::from(x) / f64::from(width),
            f64::from(y) / f64::from(height),
        );
        let sum: f64 = waves
            .iter()
            .map(|(fx, fy, a, p)| a * (TAU * (fx * u + fy * v) + p).sin())
            .sum();
        let t = (0.5 + sum / 8.0).clamp(0.0, 1.0);
        image::Rgb([
            (t * 255.0) as u8,
            (t * 200.0 + 25.0) as u8,
            ((1.0 - t * 0.5) * 255.0) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}
