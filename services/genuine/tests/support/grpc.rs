//! Small gRPC helpers: bearer tokens on requests, euros, and the health check.

use genuine_contracts::genuine::common::v1::Money;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

/// `message` with `authorization: Bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii"),
    );
    request
}

/// Euros as `Money`.
pub fn eur(units: i64) -> Money {
    Money {
        currency_code: "EUR".to_owned(),
        units,
        nanos: 0,
    }
}

/// Whether the server at `url` answers health with SERVING (on a fresh connection).
pub async fn serving(url: &str) -> bool {
    let Ok(channel) = Channel::from_shared(url.to_owned())
        .expect("url")
        .connect()
        .await
    else {
        return false;
    };
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving)
}
