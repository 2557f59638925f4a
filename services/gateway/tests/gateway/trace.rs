//! One regulator request is one trace: the caller's `traceparent` reaches the services.

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use http::Method;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::support::{Options, Suite, Token};

/// A stand-in enforcement that records the `traceparent` of each call and answers UNAVAILABLE.
async fn recording_upstream() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let router = axum::Router::new().fallback(move |headers: HeaderMap| {
        let record = Arc::clone(&record);
        async move {
            if let Some(value) = headers.get("traceparent").and_then(|v| v.to_str().ok()) {
                record.lock().expect("not poisoned").push(value.to_owned());
            }
            (
                [("content-type", "application/grpc"), ("grpc-status", "14")],
                "",
            )
                .into_response()
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_routes(tonic::service::Routes::from(router))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    (url, seen)
}

#[tokio::test]
async fn the_callers_trace_reaches_the_service_behind_the_gateway() {
    let (url, seen) = recording_upstream().await;
    let suite = Suite::start_with(Options {
        settings: vec![("GENUINE_ENFORCEMENT_URL", url)],
        down: vec!["enforcement"],
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    suite
        .send(
            Method::GET,
            "/v1/audit/head",
            Some(&token),
            None,
            &[("traceparent", incoming)],
        )
        .await
        .problem(503);
    let seen = seen.lock().expect("not poisoned").clone();
    assert!(!seen.is_empty(), "the upstream was called");
    for traceparent in &seen {
        assert!(
            traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "same trace downstream: {traceparent}"
        );
    }
    suite.stop().await;
}
