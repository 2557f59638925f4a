//! The services with mutual TLS on, as production runs them: listing and reputation started with
//! `GENUINE_TLS_*` (certificates made here with rcgen), `https://` peer URLs and plaintext health
//! listeners. Listing's synchronous standing look-up must reach reputation over mTLS, and a
//! caller without a certificate must be refused.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use genuine_contracts::genuine::listing::v1::{self as listing, SignalCode};
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::clients::{ClientConfig, client_tls_config, connect_lazy};
use genuine_runtime::clock;
use genuine_runtime::config::{Source, TlsFiles};
use genuine_suite_tests::authed;
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

const SECRET: &str = "mtls-suite-secret-that-is-long-enough";

#[tokio::test]
async fn listing_reaches_reputation_over_mutual_tls_and_anonymous_callers_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let files = write_pki(dir.path());
    let pem = files.read().expect("pem");
    let listing_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let reputation_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let listing_addr = listing_listener.local_addr().expect("addr");
    let reputation_addr = reputation_listener.local_addr().expect("addr");
    let (listing_health, reputation_health) = (free_addr(), free_addr());
    let source = Source::from_map([
        ("GENUINE_AUTH_SECRET", SECRET.to_owned()),
        ("GENUINE_DATA_DIR", dir.path().display().to_string()),
        ("GENUINE_LOG", "warn".to_owned()),
        ("GENUINE_TLS_CERT_FILE", files.cert.display().to_string()),
        ("GENUINE_TLS_KEY_FILE", files.key.display().to_string()),
        ("GENUINE_TLS_CA_FILE", files.ca.display().to_string()),
        ("GENUINE_LISTING_URL", format!("https://{listing_addr}")),
        (
            "GENUINE_REPUTATION_URL",
            format!("https://{reputation_addr}"),
        ),
        ("GENUINE_ENFORCEMENT_URL", "https://127.0.0.1:1".to_owned()),
        ("GENUINE_LISTING_HEALTH_ADDR", listing_health.to_string()),
        (
            "GENUINE_REPUTATION_HEALTH_ADDR",
            reputation_health.to_string(),
        ),
        // The first look-up also opens the TLS connection; keep it off the 50 ms budget.
        ("GENUINE_LISTING_STANDING_DEADLINE", "3s".to_owned()),
    ]);
    let shutdown = CancellationToken::new();
    let (s, token) = (source.clone(), shutdown.clone());
    let reputation_task = tokio::spawn(async move {
        genuine_reputation::serve(&s, reputation_listener, clock::system(), token).await
    });
    let (s, token) = (source.clone(), shutdown.clone());
    let listing_task = tokio::spawn(async move {
        genuine_listing::serve(&s, listing_listener, clock::system(), token).await
    });
    // Health answers in plaintext, without a certificate, on the health listeners.
    wait_serving(listing_health).await;
    wait_serving(reputation_health).await;

    let certified = |addr: SocketAddr| {
        connect_lazy(
            &ClientConfig::new(format!("https://{addr}")).with_tls(Some(client_tls_config(&pem))),
        )
        .expect("channel")
    };
    let issuer = TokenIssuer::hs256(SECRET.as_bytes(), "genuine", "genuine").expect("issuer");
    let seller = issuer
        .mint(&TokenRequest::new(
            "seller-tls",
            vec![Role::Seller],
            Duration::from_secs(300),
        ))
        .expect("mint");
    register_seller(certified(reputation_addr), &seller).await;

    let mut listings =
        listing::listing_service_client::ListingServiceClient::new(certified(listing_addr));
    let created = listings
        .create_listing(authed(create_request(), &seller))
        .await
        .expect("a certified caller gets through")
        .into_inner()
        .listing
        .expect("listing");
    let signals: Vec<i32> = created
        .screening
        .expect("screened")
        .signals
        .iter()
        .map(|s| s.code)
        .collect();
    assert!(
        !signals.contains(&(SignalCode::StandingUnavailable as i32)),
        "listing could not read the seller's standing from reputation over mTLS: {signals:?}"
    );
    assert!(
        signals.contains(&(SignalCode::SellerUnverified as i32)),
        "the standing read says the seller is unverified: {signals:?}"
    );

    let anonymous = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&pem.ca));
    let channel = connect_lazy(
        &ClientConfig::new(format!("https://{listing_addr}")).with_tls(Some(anonymous)),
    )
    .expect("channel");
    let refused = listing::listing_service_client::ListingServiceClient::new(channel)
        .create_listing(authed(create_request(), &seller))
        .await;
    assert!(
        refused.is_err(),
        "a caller without a certificate got through"
    );

    shutdown.cancel();
    for task in [listing_task, reputation_task] {
        task.await.expect("task").expect("clean stop");
    }
}

fn create_request() -> listing::CreateListingRequest {
    listing::CreateListingRequest {
        request_id: "tls-1".to_owned(),
        seller_id: "seller-tls".to_owned(),
        title: "Leather handbag, brown".to_owned(),
        description: "A handbag in good condition.".to_owned(),
        category: "handbags".to_owned(),
        price: Some(genuine_suite_tests::story::eur(90)),
        images: Vec::new(),
    }
}

async fn register_seller(channel: Channel, token: &str) {
    let request = reputation::RegisterSellerRequest {
        request_id: "register-seller-tls".to_owned(),
        seller_id: "seller-tls".to_owned(),
        legal_name: "Seller TLS GmbH".to_owned(),
        display_name: "TLS shop".to_owned(),
        email: "tls@example.com".to_owned(),
        phone: "+4930123456".to_owned(),
        address: Some(reputation::Address {
            lines: vec!["Hauptstrasse 1".to_owned()],
            city: "Berlin".to_owned(),
            region: "Berlin".to_owned(),
            postal_code: "10115".to_owned(),
            country_code: "DE".to_owned(),
        }),
        trade_register_name: "Amtsgericht Berlin".to_owned(),
        trade_register_number: "HRB 1000".to_owned(),
        id_document_ref: "passport-ref".to_owned(),
        payment_account_ref: "iban-ref".to_owned(),
        self_certified: true,
    };
    reputation::seller_reputation_service_client::SellerReputationServiceClient::new(channel)
        .register_seller(authed(request, token))
        .await
        .expect("register seller over mTLS");
}

/// A CA and one certificate for 127.0.0.1 that every service presents as server and client.
fn write_pki(dir: &Path) -> TlsFiles {
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = leaf.signed_by(&key, &issuer).expect("cert");
    let files = TlsFiles {
        cert: dir.join("tls.crt"),
        key: dir.join("tls.key"),
        ca: dir.join("ca.crt"),
    };
    std::fs::write(&files.cert, cert.pem()).expect("write");
    std::fs::write(&files.key, key.serialize_pem()).expect("write");
    std::fs::write(&files.ca, ca_cert.pem()).expect("write");
    files
}

fn free_addr() -> SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    probe.local_addr().expect("addr")
}

async fn wait_serving(addr: SocketAddr) {
    for _ in 0..200 {
        if let Ok(channel) = Channel::from_shared(format!("http://{addr}"))
            .expect("url")
            .connect()
            .await
        {
            let reply = HealthClient::new(channel)
                .check(HealthCheckRequest::default())
                .await;
            if reply.is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{addr} never SERVING");
}
