//! Mutual TLS on a real server with certificates made at test time: who gets through, who is
//! refused, and the plaintext health listener the kubelet uses.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::{AlwaysServing, GrpcServer, ServingConfig, server_tls_config};
use crate::auth::{AccessPolicy, AuthConfig, AuthLayer, TokenVerifier};
use crate::clients::{ClientConfig, client_tls_config, connect_lazy};
use crate::config::{TlsFiles, TlsPem};
use crate::telemetry;

/// A CA and one certificate it signed for `127.0.0.1`/`localhost`, usable as server and client.
struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

impl Pki {
    fn new(name: &str) -> Self {
        let ca_key = KeyPair::generate().expect("ca key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, format!("{name} test CA"));
        let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("leaf key");
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("leaf params");
        leaf.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = leaf.signed_by(&key, &issuer).expect("leaf cert");
        Self {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// Writes the three PEM files into `dir` and reads them back the way a service does.
    fn files(&self, dir: &Path) -> TlsPem {
        let files = TlsFiles {
            cert: dir.join("tls.crt"),
            key: dir.join("tls.key"),
            ca: dir.join("ca.crt"),
        };
        std::fs::write(&files.cert, &self.cert_pem).expect("write cert");
        std::fs::write(&files.key, &self.key_pem).expect("write key");
        std::fs::write(&files.ca, &self.ca_pem).expect("write ca");
        files.read().expect("read back")
    }
}

struct MtlsServer {
    addr: SocketAddr,
    health_addr: SocketAddr,
    shutdown: CancellationToken,
}

impl MtlsServer {
    async fn start(pem: &TlsPem) -> Self {
        telemetry::init_for_tests();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let health = TcpListener::bind("127.0.0.1:0").await.expect("bind health");
        let addr = listener.local_addr().expect("addr");
        let health_addr = health.local_addr().expect("health addr");
        let verifier = TokenVerifier::new(AuthConfig::hs256(
            b"tls-test-secret-0123456789abcdef",
            "genuine",
            "genuine",
        ))
        .expect("verifier");
        let config = ServingConfig {
            health_poll_interval: Duration::from_millis(20),
            ..ServingConfig::default()
        };
        let server = GrpcServer::new(
            "tls-test",
            config,
            Routes::default(),
            Vec::new(),
            Arc::new(AlwaysServing),
            AuthLayer::new(verifier, AccessPolicy::new()),
        )
        .with_tls(server_tls_config(pem))
        .with_health_listener(health);
        let shutdown = CancellationToken::new();
        tokio::spawn(server.serve(listener, shutdown.clone()));
        Self {
            addr,
            health_addr,
            shutdown,
        }
    }
}

impl Drop for MtlsServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Health of the whole server through `channel`, trying `attempts` times 100 ms apart until
/// SERVING; the error of the last attempt (code and message) when it never answers.
async fn status_within(channel: Channel, attempts: u32) -> Result<ServingStatus, String> {
    let mut client = HealthClient::new(channel);
    let mut last = Err("not called".to_owned());
    for _ in 0..attempts {
        last = client
            .check(HealthCheckRequest::default())
            .await
            .map(|r| r.into_inner().status())
            .map_err(|status| format!("{:?}: {}", status.code(), status.message()));
        if last == Ok(ServingStatus::Serving) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// [`status_within`] for a client that should get through: up to 5 s for the probe to pass.
async fn serving_status(channel: Channel) -> Result<ServingStatus, String> {
    status_within(channel, 50).await
}

/// [`status_within`] for a client that should be refused: a few tries, in case the first
/// failure were a transient one.
async fn refused_status(channel: Channel) -> Result<ServingStatus, String> {
    status_within(channel, 3).await
}

fn channel(url: String, tls: Option<ClientTlsConfig>) -> Channel {
    connect_lazy(&ClientConfig::new(url).with_tls(tls)).expect("channel")
}

#[tokio::test]
async fn mutual_tls_admits_certified_clients_only_and_health_stays_plaintext() {
    let dir = tempfile::tempdir().expect("dir");
    let pki = Pki::new("genuine");
    let pem = pki.files(dir.path());
    let server = MtlsServer::start(&pem).await;
    let https = format!("https://127.0.0.1:{}", server.addr.port());

    let certified = channel(https.clone(), Some(client_tls_config(&pem)));
    assert_eq!(
        serving_status(certified).await,
        Ok(ServingStatus::Serving),
        "a client with a certificate from the CA gets through"
    );

    let anonymous = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&pki.ca_pem));
    let refused = refused_status(channel(https.clone(), Some(anonymous))).await;
    assert!(refused.is_err(), "no client certificate: {refused:?}");

    let stranger_dir = tempfile::tempdir().expect("dir");
    let stranger = Pki::new("stranger");
    let mut foreign = stranger.files(stranger_dir.path());
    // Trusts the real server, but presents a certificate the server's CA never signed.
    foreign.ca = pem.ca.clone();
    let refused = refused_status(channel(https, Some(client_tls_config(&foreign)))).await;
    assert!(refused.is_err(), "certificate from another CA: {refused:?}");

    let plaintext = format!("http://127.0.0.1:{}", server.addr.port());
    let refused = refused_status(channel(plaintext, None)).await;
    assert!(refused.is_err(), "plaintext on the TLS port: {refused:?}");

    let health = format!("http://127.0.0.1:{}", server.health_addr.port());
    assert_eq!(
        serving_status(channel(health, None)).await,
        Ok(ServingStatus::Serving),
        "the plaintext health listener answers without any certificate"
    );
}

#[tokio::test]
async fn the_health_listener_serves_health_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let pem = Pki::new("genuine").files(dir.path());
    let server = MtlsServer::start(&pem).await;
    let health = channel(
        format!("http://127.0.0.1:{}", server.health_addr.port()),
        None,
    );
    assert_eq!(
        serving_status(health.clone()).await,
        Ok(ServingStatus::Serving)
    );
    // Reflection lives on the main port only: here the path is unknown.
    let mut grpc = tonic::client::Grpc::new(health);
    grpc.ready().await.expect("ready");
    let status = grpc
        .unary::<HealthCheckRequest, tonic_health::pb::HealthCheckResponse, _>(
            tonic::Request::new(HealthCheckRequest::default()),
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
                .parse()
                .expect("path"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .expect_err("not served here");
    assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");
}

#[test]
fn tls_needs_https_peer_urls() {
    let dir = tempfile::tempdir().expect("dir");
    let pem = Pki::new("genuine").files(dir.path());
    let config = ClientConfig::new("http://127.0.0.1:9").with_tls(Some(client_tls_config(&pem)));
    let err = connect_lazy(&config).expect_err("plaintext URL with TLS on");
    assert!(err.to_string().contains("not https://"), "{err}");
}
