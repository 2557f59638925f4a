//! A stand-in upstream: records what the gateway sends and answers UNAVAILABLE, after a delay.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

/// Starts the stand-in; returns its URL and the `traceparent` of every call it received.
pub async fn upstream(delay: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let router = axum::Router::new().fallback(move |headers: HeaderMap| {
        let record = Arc::clone(&record);
        async move {
            if let Some(value) = headers.get("traceparent").and_then(|v| v.to_str().ok()) {
                record.lock().expect("not poisoned").push(value.to_owned());
            }
            tokio::time::sleep(delay).await;
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
