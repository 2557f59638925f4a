//! Readiness: every upstream answers the standard gRPC health check with SERVING.

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1::enforcement_service_server::SERVICE_NAME as ENFORCEMENT_SERVICE;
use genuine_contracts::genuine::listing::v1::listing_service_server::SERVICE_NAME as LISTING_SERVICE;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_server::SERVICE_NAME as REPUTATION_SERVICE;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::{ENFORCEMENT, LISTING, REPUTATION, Upstreams};

/// How long one health check may take.
const CHECK_DEADLINE: Duration = Duration::from_secs(1);

/// The status of each upstream's service: `(name, "SERVING" | "NOT_SERVING" | "UNREACHABLE" …)`.
pub async fn check_all(upstreams: &Upstreams) -> Vec<(&'static str, String)> {
    let checks = upstreams.channels.iter().map(|(name, channel)| {
        let service = match *name {
            LISTING => LISTING_SERVICE,
            REPUTATION => REPUTATION_SERVICE,
            ENFORCEMENT => ENFORCEMENT_SERVICE,
            _ => "",
        };
        let mut client = HealthClient::new(channel.clone());
        async move {
            let mut request = tonic::Request::new(HealthCheckRequest {
                service: service.to_owned(),
            });
            request.set_timeout(CHECK_DEADLINE);
            let status = match tokio::time::timeout(CHECK_DEADLINE, client.check(request)).await {
                Ok(Ok(response)) => ServingStatus::try_from(response.into_inner().status)
                    .map_or_else(|_| "UNKNOWN".to_owned(), |s| s.as_str_name().to_owned()),
                Ok(Err(status)) if status.code() == tonic::Code::NotFound => {
                    "SERVICE_UNKNOWN".to_owned()
                }
                Ok(Err(_)) | Err(_) => "UNREACHABLE".to_owned(),
            };
            (*name, status)
        }
    });
    futures::future::join_all(checks).await
}
