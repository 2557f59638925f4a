//! Request limits and rate limits.

use http::Method;
use serde_json::json;

use crate::support::{Options, Suite, Token};

#[tokio::test]
async fn bodies_must_be_small_shallow_well_formed_json() {
    let suite = Suite::start_with(Options {
        settings: vec![
            ("GENUINE_GATEWAY_MAX_BODY_BYTES", "1024".to_owned()),
            ("GENUINE_GATEWAY_MAX_JSON_DEPTH", "4".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    suite.register_seller("s-it", "IT").await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let path = "/v1/sellers/s-it/inspections";
    let json_header = [("content-type", "application/json")];

    let answer = suite
        .send(
            Method::POST,
            path,
            Some(&token),
            Some(b"{\"product\": ".to_vec()),
            &json_header,
        )
        .await;
    let problem = answer.problem(400);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("invalid JSON"),
        "{problem}"
    );

    let deep = json!({"product": [[[[["x"]]]]]});
    let problem = suite.post(path, Some(&token), &deep).await.problem(400);
    assert!(
        problem["detail"].as_str().expect("detail").contains("body"),
        "{problem}"
    );
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("deeper than 4")
    );

    let big = json!({"product": "x".repeat(2000)});
    suite.post(path, Some(&token), &big).await.problem(413);

    let answer = suite
        .send(
            Method::POST,
            path,
            Some(&token),
            Some(b"product=x".to_vec()),
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    answer.problem(415);
    suite.stop().await;
}

#[tokio::test]
async fn each_principal_and_scope_is_rate_limited_with_retry_after() {
    let suite = Suite::start_with(Options {
        settings: vec![("GENUINE_GATEWAY_RATE_LIMIT_TRADERS_READ", "2/1m".to_owned())],
        ..Options::default()
    })
    .await;
    suite.register_seller("s-it", "IT").await;
    let a = suite.token(&Token::regulator("reg-a", "IT"));
    let b = suite.token(&Token::regulator("reg-b", "IT"));
    suite.get("/v1/sellers/s-it", Some(&a)).await.ok(200);
    suite
        .get("/v1/sellers/s-it/violations", Some(&a))
        .await
        .ok(200);
    let answer = suite.get("/v1/sellers/s-it", Some(&a)).await;
    let problem = answer.problem(429);
    assert_eq!(problem["code"], "RESOURCE_EXHAUSTED");
    let wait: u64 = answer.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&wait), "{wait}");
    // Another principal, and another scope of the same principal, are not affected.
    suite.get("/v1/sellers/s-it", Some(&b)).await.ok(200);
    suite.get("/healthz", None).await.ok(200);
    suite.stop().await;
}

#[tokio::test]
async fn the_w3c_trace_is_continued_and_unknown_routes_are_problems() {
    let suite = Suite::start().await;
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let answer = suite
        .send(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("traceparent", traceparent)],
        )
        .await;
    let echoed = answer.headers["traceparent"].to_str().expect("ascii");
    assert!(
        echoed.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
        "{echoed}"
    );
    assert!(
        !echoed.contains("00f067aa0ba902b7"),
        "a child span of the caller's: {echoed}"
    );

    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let problem = suite
        .send(
            Method::GET,
            "/v1/cases?status=CASE_STATUS_NOPE",
            Some(&token),
            None,
            &[("traceparent", traceparent)],
        )
        .await
        .problem(400);
    assert_eq!(problem["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(problem["errors"][0]["field"], "status");

    suite.get("/v2/nothing", None).await.problem(404);
    suite
        .send(Method::DELETE, "/v1/cases", None, None, &[])
        .await
        .problem(405);
    suite.stop().await;
}
