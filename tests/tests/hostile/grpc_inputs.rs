//! Property test: every RPC of the contract, called over real TCP with the token its access
//! table allows, gets random bytes, plausible requests, plausible requests with one hostile
//! field, and requests with any field hostile or missing. No answer may be a server fault, every
//! INVALID_ARGUMENT names a field, nothing panics and every service still answers health.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genuine_suite_tests::contract::{self, Method};
use genuine_suite_tests::raw_grpc::{self, RawRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use tokio::runtime::Handle;
use tonic::Code;

use crate::messages::{self, Kind};
use crate::setup::World;
use crate::verdict::judge;

/// Longest a single hostile call may take before it counts as a hang.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Cases per RPC and kind of input.
pub fn cases() -> u32 {
    std::env::var("GENUINE_HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

/// A runner with `cases` cases: a fixed seed (the same inputs every CI run) unless
/// `GENUINE_HOSTILE_RANDOM=1`; bounded shrinking, since each step is a network call.
pub fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var("GENUINE_HOSTILE_RANDOM").is_ok_and(|v| v == "1") {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    }
}

/// Sends one message to `method` and waits for its final status.
pub async fn send(world: &World, method: &Method, token: &str, payload: &[u8]) -> tonic::Status {
    let request = RawRequest::message(&method.path, Some(token), payload);
    let channel = world.suite.channel(method.service);
    match tokio::time::timeout(CALL_TIMEOUT, raw_grpc::call(channel, request)).await {
        Ok(status) => status,
        Err(_) => tonic::Status::unknown(format!("no answer within {CALL_TIMEOUT:?}")),
    }
}

/// A failing input, short enough to read.
fn describe(payload: &[u8]) -> String {
    let shown: String = payload
        .iter()
        .take(96)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{} bytes: {shown}{}",
        payload.len(),
        if payload.len() > 96 { "…" } else { "" }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_survives_random_and_mutated_requests() {
    let world = Arc::new(World::start().await);
    let panics_before = crate::panics::count();
    let handle = Handle::current();
    let report = tokio::task::spawn_blocking({
        let world = Arc::clone(&world);
        move || run_every_rpc(&world, &handle)
    })
    .await
    .expect("the property run finishes");

    println!(
        "hostile gRPC: {} RPCs x 4 kinds x {} cases = {} calls; codes {:?}",
        report.methods, report.cases, report.calls, report.codes
    );
    println!(
        "RPCs answered OK at least once for plausible input: {}/{}",
        report.reached.len(),
        report.methods
    );
    assert_eq!(
        crate::panics::count(),
        panics_before,
        "a service panicked (see the output above)"
    );
    assert!(
        report.failures.is_empty(),
        "{} failures:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
    // The plausible generator must reach the handlers, or the mutations test little more than
    // validation: most RPCs answer some plausible request.
    assert!(
        report.reached.len() * 2 > report.methods,
        "plausible requests reached only {:?}",
        report.reached
    );
}

#[derive(Default)]
struct Report {
    methods: usize,
    cases: u32,
    calls: usize,
    codes: BTreeMap<String, usize>,
    reached: Vec<String>,
    failures: Vec<String>,
}

fn run_every_rpc(world: &World, handle: &Handle) -> Report {
    let methods = contract::methods();
    let cases = cases();
    let report = Mutex::new(Report {
        methods: methods.len(),
        cases,
        ..Report::default()
    });
    for method in &methods {
        let token = world.token_for(method);
        let kinds: [(&str, BoxedStrategy<Vec<u8>>); 4] = [
            (
                "random bytes",
                proptest::collection::vec(any::<u8>(), 0..256).boxed(),
            ),
            (
                "plausible",
                messages::request(&method.input, &world.pools, Kind::Plausible),
            ),
            (
                "one hostile field",
                messages::one_hostile_field(&method.input, &world.pools),
            ),
            (
                "anything",
                messages::request(&method.input, &world.pools, Kind::Any),
            ),
        ];
        for (kind, strategy) in kinds {
            let result = runner(cases).run(&strategy, |payload| {
                let status = handle.block_on(send(world, method, &token, &payload));
                let mut report = report.lock().expect("report lock");
                report.calls += 1;
                *report
                    .codes
                    .entry(format!("{:?}", status.code()))
                    .or_default() += 1;
                if kind == "plausible"
                    && status.code() == Code::Ok
                    && !report.reached.contains(&method.path)
                {
                    report.reached.push(method.path.clone());
                }
                drop(report);
                judge(&status).map_err(TestCaseError::fail)
            });
            if let Err(error) = result {
                let line = match error {
                    TestError::Fail(reason, payload) => {
                        format!(
                            "{} [{kind}]: {reason} for {}",
                            method.path,
                            describe(&payload)
                        )
                    }
                    TestError::Abort(reason) => {
                        format!("{} [{kind}]: aborted: {reason}", method.path)
                    }
                };
                report.lock().expect("report lock").failures.push(line);
            }
        }
        if let Err(problem) = handle.block_on(crate::grpc_targeted::serving(world, method.service))
        {
            report
                .lock()
                .expect("report lock")
                .failures
                .push(format!("after {}: {problem}", method.path));
        }
    }
    report.into_inner().expect("report lock")
}
