//! One regulator request is one trace: the caller's `traceparent` reaches the services.

use std::time::Duration;

use http::Method;

use crate::standin;
use crate::support::{Options, Suite, Token};

#[tokio::test]
async fn the_callers_trace_reaches_the_service_behind_the_gateway() {
    let (url, seen) = standin::upstream(Duration::ZERO).await;
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

#[tokio::test]
async fn a_slow_request_is_504_and_still_audited() {
    let (url, _) = standin::upstream(Duration::from_secs(3)).await;
    let suite = Suite::start_with(Options {
        settings: vec![
            ("GENUINE_ENFORCEMENT_URL", url),
            ("GENUINE_GATEWAY_REQUEST_TIMEOUT", "300ms".to_owned()),
        ],
        down: vec!["enforcement"],
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let problem = suite.get("/v1/audit/head", Some(&token)).await.problem(504);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("longer than 300ms"),
        "{problem}"
    );
    let records = suite.audit_records();
    assert_eq!(records.last().expect("audited")["status"], 504);
    suite.stop().await;
}

#[tokio::test]
async fn an_upstream_past_its_call_deadline_is_504() {
    let (url, _) = standin::upstream(Duration::from_secs(3)).await;
    let suite = Suite::start_with(Options {
        settings: vec![
            ("GENUINE_ENFORCEMENT_URL", url),
            ("GENUINE_GATEWAY_CALL_TIMEOUT", "200ms".to_owned()),
        ],
        down: vec!["enforcement"],
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let problem = suite.get("/v1/cases", Some(&token)).await.problem(504);
    assert_eq!(problem["code"], "DEADLINE_EXCEEDED");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("enforcement"),
        "{problem}"
    );
    suite.stop().await;
}

#[tokio::test]
async fn requests_beyond_the_concurrency_limit_are_shed_with_503() {
    let (url, _) = standin::upstream(Duration::from_secs(1)).await;
    let suite = Suite::start_with(Options {
        settings: vec![
            ("GENUINE_ENFORCEMENT_URL", url),
            ("GENUINE_GATEWAY_CONCURRENCY_LIMIT", "1".to_owned()),
        ],
        down: vec!["enforcement"],
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let slow = suite.get("/v1/audit/head", Some(&token));
    let shed = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let answer = suite.get("/v1/cases", Some(&token)).await;
        let health = suite.get("/healthz", None).await;
        (answer, health)
    };
    let (slow, (answer, health)) = tokio::join!(slow, shed);
    slow.problem(503);
    let problem = answer.problem(503);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("capacity"),
        "{problem}"
    );
    assert_eq!(answer.headers["retry-after"], "1");
    assert_eq!(health.status.as_u16(), 200, "probes are never shed");
    suite.stop().await;
}
