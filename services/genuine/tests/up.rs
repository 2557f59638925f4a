//! `genuine up` as a user runs it: the real binary, real ports, real SQLite files. It must start,
//! print endpoints and tokens, answer health and (with a token) reflection on every port, refuse
//! calls without a token, and stop cleanly on SIGTERM.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

/// What the banner told us.
struct Banner {
    endpoints: HashMap<String, String>,
    tokens: HashMap<String, String>,
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start(data_dir: &std::path::Path) -> (Running, Banner) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_genuine"))
        .args(["--data-dir", &data_dir.display().to_string(), "up"])
        .args([
            "--listing-port",
            "0",
            "--reputation-port",
            "0",
            "--enforcement-port",
            "0",
            "--gateway-port",
            "0",
        ])
        .env("GENUINE_LOG", "warn")
        .env_remove("GENUINE_AUTH_SECRET")
        .stdout(Stdio::piped())
        .spawn()
        .expect("genuine starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut banner = Banner {
        endpoints: HashMap::new(),
        tokens: HashMap::new(),
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("banner line");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [name, url] if url.starts_with("grpc://") || url.starts_with("http://") => {
                banner
                    .endpoints
                    .insert((*name).to_owned(), url.replace("grpc://", "http://"));
            }
            [role, token] if token.starts_with("eyJ") => {
                banner
                    .tokens
                    .insert((*role).to_owned(), (*token).to_owned());
            }
            _ if line.contains("Stop with Ctrl-C") => break,
            _ => {}
        }
    }
    (running, banner)
}

async fn wait_serving(url: &str) {
    for _ in 0..100 {
        if let Ok(channel) = Channel::from_shared(url.to_owned())
            .expect("url")
            .connect()
            .await
        {
            let mut client = HealthClient::new(channel);
            let reply = client
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await;
            if reply.is_ok_and(|r| r.get_ref().status == ServingStatus::Serving as i32) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never became SERVING");
}

async fn listed_services(url: &str, token: Option<&str>) -> Result<Vec<String>, tonic::Status> {
    let channel = Channel::from_shared(url.to_owned())
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut client = ServerReflectionClient::new(channel);
    let mut request = tonic::Request::new(tokio_stream::iter([ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    }]));
    if let Some(token) = token {
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    let mut stream = client.server_reflection_info(request).await?.into_inner();
    let reply = stream.message().await?.expect("one reply");
    match reply.message_response {
        Some(MessageResponse::ListServicesResponse(list)) => {
            Ok(list.service.into_iter().map(|s| s.name).collect())
        }
        other => panic!("unexpected reflection reply {other:?}"),
    }
}

/// A plain HTTP/1.1 GET; the whole response as text.
fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return String::from("connection refused");
    };
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).ok();
    response
}

#[tokio::test]
async fn up_serves_health_and_reflection_on_every_port_and_stops_on_sigterm() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let (mut running, banner) = start(data_dir.path());

    for service in ["listing", "reputation", "enforcement", "gateway"] {
        assert!(
            banner.endpoints.contains_key(service),
            "{service} missing from the banner"
        );
    }
    for role in ["admin", "reviewer", "regulator"] {
        assert!(banner.tokens.contains_key(role), "no {role} token printed");
    }
    assert!(
        data_dir.path().join("auth.secret").exists(),
        "secret not kept"
    );

    let expected = [
        ("listing", "genuine.listing.v1.ListingService"),
        (
            "reputation",
            "genuine.reputation.v1.SellerReputationService",
        ),
        ("enforcement", "genuine.enforcement.v1.EnforcementService"),
    ];
    for (service, grpc_name) in expected {
        let url = &banner.endpoints[service];
        wait_serving(url).await;
        assert!(data_dir.path().join(format!("{service}.db")).exists());

        let denied = listed_services(url, None).await.expect_err("no token");
        assert_eq!(denied.code(), tonic::Code::Unauthenticated, "{service}");
        let names = listed_services(url, Some(&banner.tokens["admin"]))
            .await
            .expect("reflection");
        assert!(names.iter().any(|n| n == grpc_name), "{service}: {names:?}");
        assert!(
            names.iter().any(|n| n == "grpc.health.v1.Health"),
            "{service}: {names:?}"
        );
    }

    // The gateway is ready once every upstream answers, and it takes the printed regulator token.
    let gateway = banner.endpoints["gateway"]
        .trim_start_matches("http://")
        .to_owned();
    let mut ready = String::new();
    for _ in 0..100 {
        ready = http_get(&gateway, "/readyz", None);
        if ready.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let cases = http_get(&gateway, "/v1/cases", Some(&banner.tokens["regulator"]));
    assert!(cases.starts_with("HTTP/1.1 200"), "{cases}");
    let anonymous = http_get(&gateway, "/v1/cases", None);
    assert!(anonymous.starts_with("HTTP/1.1 401"), "{anonymous}");

    let pid = running.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut exited = None;
    for _ in 0..300 {
        if let Some(status) = running.0.try_wait().expect("wait") {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = exited.expect("genuine exits within 30 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
}
