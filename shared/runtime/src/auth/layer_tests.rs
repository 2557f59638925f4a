//! [`AuthLayer`] end to end around a tiny tower service.

use std::convert::Infallible;

use tonic::body::Body;
use tower::{Layer as _, ServiceExt as _};

use super::test_support::{token, verifier};
use super::*;

const CREATE: &str = "/genuine.listing.v1.ListingService/CreateListing";
const GET: &str = "/genuine.listing.v1.ListingService/GetListing";
const HEALTH: &str = "/grpc.health.v1.Health/Check";

fn policy() -> AccessPolicy {
    AccessPolicy::new().service("genuine.listing.v1.ListingService", |s| {
        s.rpc("CreateListing", Allow::Roles(&[Role::Seller, Role::Admin]))
            .rpc("GetListing", Allow::AnyAuthenticated)
    })
}

/// What the inner service saw: `Ok(subject or "-")`, or the status the layer answered with.
async fn call(path: &str, authorization: Option<&str>) -> Result<String, tonic::Status> {
    let inner = tower::service_fn(|req: http::Request<String>| async move {
        // Exactly what a tonic handler gets: http extensions become request extensions.
        let request = tonic::Request::from_http(req);
        let subject = principal(&request).map_or_else(|_| "-".to_owned(), |p| p.subject.clone());
        let mut response = http::Response::new(Body::default());
        response
            .headers_mut()
            .insert("x-subject", subject.parse().expect("header"));
        Ok::<_, Infallible>(response)
    });
    let service = AuthLayer::new(verifier(), policy()).layer(inner);
    let mut request = http::Request::builder().uri(format!("http://localhost{path}"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = service
        .oneshot(request.body(String::new()).expect("request"))
        .await
        .expect("infallible");
    if let Some(status) = tonic::Status::from_header_map(response.headers()) {
        return Err(status);
    }
    Ok(response.headers()["x-subject"]
        .to_str()
        .expect("ascii")
        .to_owned())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_permitted_role_reaches_the_handler_with_its_principal() {
    let seller = bearer(&token("seller-9", &[Role::Seller]));
    assert_eq!(
        call(CREATE, Some(&seller)).await.expect("allowed"),
        "seller-9"
    );
    let consumer = bearer(&token("consumer-1", &[Role::Consumer]));
    assert_eq!(
        call(GET, Some(&consumer)).await.expect("allowed"),
        "consumer-1"
    );
}

#[tokio::test]
async fn no_token_is_unauthenticated() {
    let status = call(GET, None).await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert!(
        status.message().contains("no bearer token"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn a_bad_token_is_unauthenticated_without_echoing_it() {
    for value in [
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer a.b.c",
    ] {
        let status = call(GET, Some(value)).await.expect_err("refused");
        assert_eq!(status.code(), tonic::Code::Unauthenticated, "{value}");
        assert!(
            !status.message().contains("nonsense"),
            "{}",
            status.message()
        );
    }
}

#[tokio::test]
async fn a_wrong_role_is_permission_denied_naming_method_and_roles() {
    let consumer = bearer(&token("consumer-1", &[Role::Consumer]));
    let status = call(CREATE, Some(&consumer)).await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert!(status.message().contains(CREATE), "{}", status.message());
    assert!(
        status.message().contains("seller, admin"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn an_undeclared_method_is_denied_even_to_admins() {
    let admin = bearer(&token("root", &[Role::Admin]));
    let path = "/genuine.listing.v1.ListingService/DropTables";
    let status = call(path, Some(&admin)).await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert!(
        status.message().contains("not declared"),
        "{}",
        status.message()
    );
    assert!(status.message().contains(path), "{}", status.message());
}

#[tokio::test]
async fn health_is_public_and_ignores_bad_tokens() {
    assert_eq!(call(HEALTH, None).await.expect("public"), "-");
    assert_eq!(
        call(HEALTH, Some("Bearer junk")).await.expect("public"),
        "-"
    );
    let reviewer = bearer(&token("rev-2", &[Role::Reviewer]));
    assert_eq!(
        call(HEALTH, Some(&reviewer)).await.expect("public"),
        "rev-2"
    );
}

#[test]
fn principal_is_unauthenticated_when_absent() {
    let request = tonic::Request::new(());
    let status = principal(&request).expect_err("no principal");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
}
