//! Telling a call the peer answered from one whose connection failed under it.
//!
//! tonic reports a connection that breaks mid-call (the peer killed or restarting, a socket
//! reset) as `UNKNOWN` "transport error" or `INTERNAL` "h2 protocol error": the codes a peer uses
//! for its own bugs. Only a status made by this side's transport carries the underlying error as
//! its source; an answer decoded from the peer's trailers never does. Callers that treat a peer's
//! UNKNOWN/INTERNAL as a bug (the outbox parks after a few) must treat these as an outage.

use tonic::{Code, Status};

/// Whether `status` was made by this side's transport (connection lost, stream reset, own
/// timeout) rather than sent by the peer as its answer.
fn is_transport_failure(status: &Status) -> bool {
    status.code() != Code::Ok && std::error::Error::source(status).is_some()
}

/// Whether the connection failed under a call the peer may or may not have run: a transport
/// failure reported as UNKNOWN or INTERNAL. For an idempotent call it is the same as UNAVAILABLE.
#[must_use]
pub fn is_lost_connection(status: &Status) -> bool {
    matches!(status.code(), Code::Unknown | Code::Internal) && is_transport_failure(status)
}

/// The innermost cause of `status` ("connection reset by peer", "stream error received: refused
/// stream"), or its message when nothing lies beneath it.
#[must_use]
pub fn innermost_cause(status: &Status) -> String {
    let mut cause = status.message().to_owned();
    let mut source = std::error::Error::source(status);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    cause
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;
    use tonic::codegen::http::uri::PathAndQuery;
    use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

    use super::*;

    async fn check(addr: SocketAddr, service: &str) -> Status {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect_lazy();
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.expect("ready");
        let codec = tonic_prost::ProstCodec::<HealthCheckRequest, HealthCheckResponse>::default();
        let request = HealthCheckRequest {
            service: service.to_owned(),
        };
        grpc.unary(
            tonic::Request::new(request),
            PathAndQuery::from_static("/grpc.health.v1.Health/Check"),
            codec,
        )
        .await
        .expect_err("the call fails")
    }

    /// A peer that takes the call and dies before answering (as a SIGKILLed service does).
    async fn dying_peer() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = vec![0_u8; 4096];
                // Everything the client sends (preface, settings, the request) until it has
                // been quiet for a while; then the process is gone.
                while let Ok(Ok(read)) =
                    tokio::time::timeout(Duration::from_millis(100), socket.read(&mut buf)).await
                {
                    if read == 0 {
                        break;
                    }
                }
                drop(socket);
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_connection_lost_mid_call_is_a_transport_failure() {
        let status = check(dying_peer().await, "").await;
        // UNKNOWN "transport error", as the fault test saw when a service was killed mid-call.
        assert_eq!(status.code(), Code::Unknown, "{status:?}");
        assert!(is_transport_failure(&status), "{status:?}");
        assert!(is_lost_connection(&status), "{status:?}");
        assert!(
            innermost_cause(&status).contains("broken pipe"),
            "{}",
            innermost_cause(&status)
        );
    }

    #[tokio::test]
    async fn a_peers_answer_is_not_a_transport_failure() {
        let (_reporter, health) = tonic_health::server::health_reporter();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(health)
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        let status = check(addr, "no.such.Service").await;
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
        assert!(!is_transport_failure(&status));
        assert!(!is_lost_connection(&status));
        assert!(!is_lost_connection(&Status::internal("a bug at the peer")));
        assert!(!is_lost_connection(&Status::unknown(
            "a peer's own unknown"
        )));
    }
}
