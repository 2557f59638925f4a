//! Observability, verified end to end: the suite and the gateway export to an in-process OTLP
//! receiver, and one regulator request is one trace across the gateway, enforcement and listing,
//! with outbox deliveries (made later, by another task) continuing the trace that caused them.
//!
//! A test binary of its own because `telemetry::init` is once per process: here it installs the
//! OTLP exporter before anything else can install the test subscriber.

mod receiver;
mod trace;

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1::{CaseOutcome, DecideCaseRequest, Severity};
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_runtime::auth::{Role, TokenRequest};
use genuine_runtime::clock;
use genuine_runtime::telemetry::{self, TelemetryConfig};
use genuine_suite_tests::gateway::Gateway;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Suite, authed};

use trace::{Trace, hex};

/// The regulator's own trace (as its portal would send it) and the span that calls the gateway.
const NOTICE_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PORTAL_SPAN: &str = "00f067aa0ba902b7";
/// The reviewer tool's trace for the decision.
const DECISION_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const REVIEWER_SPAN: &str = "b7ad6b7169203331";

/// How long spans may take to arrive (the batch exporter sends every few seconds).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_is_one_trace_across_services_and_the_outbox() {
    let (endpoint, received) = receiver::start().await;
    let guard = telemetry::init(&TelemetryConfig {
        service_name: "genuine-suite".to_owned(),
        log_filter: "warn,genuine_runtime=info,genuine_gateway=info".to_owned(),
        otlp_endpoint: Some(endpoint),
        ..TelemetryConfig::default()
    });

    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite");
    register_verified_seller(&suite, "seller-otel", "DE").await;
    let listing = create_listing(&suite, "seller-otel", "Leather handbag, brown", 900).await;
    let gateway = Gateway::start(&suite).await;

    // A regulator's notice through the gateway: enforcement looks the listing up in listing and
    // takes it down on receipt, through the outbox.
    let notice = format!(
        r#"{{"ground":"NOTICE_GROUND_COUNTERFEIT","listingIds":["{}"],"explanation":"Seized goods matched this listing.","goodFaithDeclaration":true}}"#,
        listing.listing_id
    );
    let traceparent = format!("00-{NOTICE_TRACE}-{PORTAL_SPAN}-01");
    let answer = gateway
        .send(
            "POST",
            "/v1/notices",
            Some(&regulator_token(&suite)),
            &[("traceparent", &traceparent)],
            Some(&notice),
        )
        .await;
    let body = answer.ok();
    let case_id = body["caseIds"][0].as_str().expect("a case").to_owned();
    wait_listing_status(&suite, &listing.listing_id, ListingStatus::TakenDown).await;

    // A reviewer upholds the case: the violation reaches reputation through the outbox.
    let mut decision = authed(
        DecideCaseRequest {
            case_id,
            outcome: CaseOutcome::Uphold as i32,
            explanation: "The seized goods match the listing.".to_owned(),
            severity: Severity::Medium as i32,
        },
        &suite.token(Role::Reviewer, "reviewer-otel"),
    );
    decision.metadata_mut().insert(
        "traceparent",
        format!("00-{DECISION_TRACE}-{REVIEWER_SPAN}-01")
            .parse()
            .expect("ascii"),
    );
    suite
        .enforcement_client()
        .decide_case(decision)
        .await
        .expect("decide");
    wait_strikes(&suite, "seller-otel", 1).await;

    // Spans arrive in batches, a parent often after its children: wait until both traces are
    // complete, and say what is still missing if they never are.
    let deadline = tokio::time::Instant::now() + EXPORT_TIMEOUT;
    loop {
        let spans = received.spans();
        let linked = notice_trace_is_linked(&Trace::of(&spans, NOTICE_TRACE))
            .and_then(|()| decision_trace_is_linked(&Trace::of(&spans, DECISION_TRACE)));
        match linked {
            Ok(()) => break,
            Err(reason) => assert!(tokio::time::Instant::now() < deadline, "{reason}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Metrics leave at the periodic export or when the providers shut down: flush them now.
    tokio::task::spawn_blocking(move || drop(guard))
        .await
        .expect("flush");
    let names = received.metric_names();
    for metric in [
        "rpc.server.requests",
        "rpc.server.duration",
        "outbox.backlog",
        "outbox.oldest_age_seconds",
        "screening.decisions",
    ] {
        assert!(names.contains(metric), "{metric} not exported: {names:?}");
    }
    drop(gateway);
}

/// The notice's trace: gateway → enforcement → listing, and the outbox delivery of the
/// takedown under the enforcement call that enqueued it.
fn notice_trace_is_linked(trace: &Trace) -> Result<(), String> {
    let gateway = trace.one("POST /v1/notices")?;
    if hex(&gateway.parent_span_id) != PORTAL_SPAN {
        return Err("the gateway span does not continue the caller's span".to_owned());
    }
    let submit = trace.one("genuine.enforcement.v1.EnforcementService/SubmitNotice")?;
    require(
        trace.descends(submit, gateway),
        "SubmitNotice under the gateway",
    )?;
    let lookups = under(trace, submit, "genuine.listing.v1.ListingService/");
    require(lookups > 0, "a listing call under SubmitNotice")?;
    let deliveries: Vec<_> = trace
        .named("outbox.deliver")
        .filter(|d| trace.descends(d, submit))
        .collect();
    require(
        !deliveries.is_empty(),
        "an outbox delivery under SubmitNotice",
    )?;
    require(
        deliveries
            .iter()
            .any(|d| under(trace, d, "genuine.listing.v1.ListingService/") > 0),
        "the takedown reaching listing under the outbox delivery",
    )?;
    no_orphans(trace, PORTAL_SPAN)
}

/// The decision's trace: enforcement, then the outbox delivery to reputation under it.
fn decision_trace_is_linked(trace: &Trace) -> Result<(), String> {
    let decide = trace.one("genuine.enforcement.v1.EnforcementService/DecideCase")?;
    if hex(&decide.parent_span_id) != REVIEWER_SPAN {
        return Err("DecideCase does not continue the caller's span".to_owned());
    }
    let delivered = trace
        .named("outbox.deliver")
        .any(|d| trace.descends(d, decide) && under(trace, d, "genuine.reputation.v1.") > 0);
    require(
        delivered,
        "a reputation call under an outbox delivery under DecideCase",
    )?;
    no_orphans(trace, REVIEWER_SPAN)
}

/// How many server spans whose name starts with `prefix` descend from `ancestor`.
fn under(
    trace: &Trace,
    ancestor: &opentelemetry_proto::tonic::trace::v1::Span,
    prefix: &str,
) -> usize {
    trace
        .spans
        .values()
        .filter(|s| s.name.starts_with(prefix) && trace.descends(s, ancestor))
        .count()
}

fn no_orphans(trace: &Trace, external_parent: &str) -> Result<(), String> {
    let orphans = trace.orphans(external_parent);
    require(
        orphans.is_empty(),
        &format!(
            "every span's parent in trace {}: {orphans:?}",
            trace.trace_id
        ),
    )
}

fn require(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(format!("missing: {what}"))
    }
}

fn regulator_token(suite: &Suite) -> String {
    suite.token_with(TokenRequest {
        subject: "reg-de".to_owned(),
        roles: vec![Role::Regulator],
        agency: Some("DE market surveillance".to_owned()),
        jurisdiction: Some("DE".to_owned()),
        scopes: vec!["notices:write".to_owned()],
        ttl: Duration::from_secs(600),
    })
}
