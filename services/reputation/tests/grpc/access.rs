//! Authentication and the access table, enforced before any handler runs.

use genuine_contracts::genuine::reputation::v1 as pb;
use tonic::Code;

use crate::support::{As, Running, each_backend, register};

#[tokio::test]
async fn calls_without_a_token_or_with_a_wrong_role_are_refused() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-1", "IT").await;
        let standing = |who| {
            running.req(
                who,
                pb::GetSellerStandingRequest {
                    seller_id: "s-1".into(),
                },
            )
        };
        let err = client
            .get_seller_standing(standing(As::Nobody))
            .await
            .expect_err("no token");
        assert_eq!(err.code(), Code::Unauthenticated);

        let mut bad = standing(As::Nobody);
        bad.metadata_mut()
            .insert("authorization", "Bearer not-a-jwt".parse().expect("header"));
        assert_eq!(
            client
                .get_seller_standing(bad)
                .await
                .expect_err("junk token")
                .code(),
            Code::Unauthenticated
        );

        let denied = denials(&running).await;
        assert!(
            denied
                .iter()
                .all(|(_, code)| *code == Code::PermissionDenied),
            "{denied:?}"
        );
        running.stop().await;
    }
}

/// Each RPC called by a role the table does not allow, with its status code.
async fn denials(running: &Running) -> Vec<(&'static str, Code)> {
    let mut client = running.client.clone();
    let mut out = Vec::new();
    let r = client
        .verify_seller(running.req(As::Seller("s-1"), pb::VerifySellerRequest::default()))
        .await;
    out.push(("VerifySeller by seller", code(&r)));
    let r = client
        .register_seller(running.req(As::Reviewer, pb::RegisterSellerRequest::default()))
        .await;
    out.push(("RegisterSeller by reviewer", code(&r)));
    let r = client
        .record_violation(running.req(As::Seller("s-1"), pb::RecordViolationRequest::default()))
        .await;
    out.push(("RecordViolation by seller", code(&r)));
    let r = client
        .retract_violation(running.req(As::Listing, pb::RetractViolationRequest::default()))
        .await;
    out.push(("RetractViolation by listing", code(&r)));
    let r = client
        .record_inspection(running.req(As::Consumer, pb::RecordInspectionRequest::default()))
        .await;
    out.push(("RecordInspection by consumer", code(&r)));
    let r = client
        .list_sellers(running.req(As::Consumer, pb::ListSellersRequest::default()))
        .await;
    out.push(("ListSellers by consumer", code(&r)));
    let r = client
        .list_violations(running.req(As::Listing, pb::ListViolationsRequest::default()))
        .await;
    out.push(("ListViolations by listing", code(&r)));
    let r = client
        .list_inspections(running.req(As::Consumer, pb::ListInspectionsRequest::default()))
        .await;
    out.push(("ListInspections by consumer", code(&r)));
    let r = client
        .suspend_seller(running.req(As::Seller("s-1"), pb::SuspendSellerRequest::default()))
        .await;
    out.push(("SuspendSeller by seller", code(&r)));
    let r = client
        .reinstate_seller(running.req(As::Enforcement, pb::ReinstateSellerRequest::default()))
        .await;
    out.push(("ReinstateSeller by enforcement", code(&r)));
    out
}

fn code<T>(result: &Result<tonic::Response<T>, tonic::Status>) -> Code {
    result
        .as_ref()
        .map_or_else(tonic::Status::code, |_| Code::Ok)
}
