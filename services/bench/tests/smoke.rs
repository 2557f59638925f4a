//! Every scenario in smoke mode (tiny data, about a second of load), so the tool cannot rot: each
//! must complete, answer requests and count no error. On PostgreSQL when
//! `GENUINE_TEST_POSTGRES_URL` is set, else SQLite. Figures are not checked: CI machines are
//! too noisy for that, and the full runs are manual (docs/benchmarks.md). `idle-rss` starts the
//! `genuine` executable itself, so its smoke test is with that binary (services/genuine/tests).

use genuine_bench::compare::{Outcome, run};
use genuine_bench::{BenchArgs, Scenario};

/// Each test loads both cores; side by side they would push seller-reputation past its 50 ms
/// deadline and count degraded listings, so they run one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn smoke(scenario: Scenario) -> BenchArgs {
    BenchArgs {
        smoke: true,
        postgres_url: std::env::var(genuine_runtime::storage::testing::POSTGRES_URL_VAR).ok(),
        ..BenchArgs::new(scenario)
    }
}

/// Panics unless each of `scenarios` answered requests in `outcomes` and no request failed.
fn assert_answered_without_errors(outcomes: &[&Outcome], scenarios: &[Scenario]) {
    for scenario in scenarios {
        let ok: u64 = outcomes.iter().map(|o| o.ok(*scenario)).sum();
        assert!(ok > 0, "{} answered no request", scenario.name());
    }
    for outcome in outcomes {
        assert_eq!(outcome.errors(), 0, "errors in:\n{outcome}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_completes_without_errors() {
    let _alone = ONE_AT_A_TIME.lock().await;
    // The comparison path: create-listing and its database baseline, alternating.
    let compared = run(&BenchArgs {
        compare: Some(Scenario::DbBaseline),
        ..smoke(Scenario::CreateListing)
    })
    .await
    .expect("create-listing vs db-baseline");
    // The open-loop path, at the smoke rate.
    let standing = run(&BenchArgs {
        rate: Some(50),
        ..smoke(Scenario::Standing)
    })
    .await
    .expect("standing");
    let echo = run(&smoke(Scenario::EchoBaseline))
        .await
        .expect("echo-baseline");
    assert_answered_without_errors(
        &[&compared, &standing, &echo],
        &[
            Scenario::CreateListing,
            Scenario::DbBaseline,
            Scenario::EchoBaseline,
            Scenario::Standing,
        ],
    );
    assert!(compared.to_string().contains("| ok/s |"), "{compared}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_gateway_and_report_scenarios_complete_without_errors() {
    let _alone = ONE_AT_A_TIME.lock().await;
    // One stream, then two at once.
    let streams = run(&smoke(Scenario::ScreenStream))
        .await
        .expect("screen-stream");
    assert_eq!(streams.runs[0].1.len(), 2, "{streams}");
    assert!(
        streams.runs[0].1.iter().all(|m| m.ok() > 0),
        "a stream size screened nothing:\n{streams}"
    );
    // The gateway against its gRPC baseline, alternating, with the latency ratio.
    let gateway = run(&BenchArgs {
        compare: Some(Scenario::GetCase),
        ..smoke(Scenario::GatewayRead)
    })
    .await
    .expect("gateway-read vs get-case");
    assert!(gateway.to_string().contains("| p99 ms |"), "{gateway}");
    // Each report call checks the total it answers against the cases seeded.
    let report = run(&BenchArgs {
        concurrency: 1,
        ..smoke(Scenario::Report)
    })
    .await
    .expect("report");
    assert_answered_without_errors(
        &[&streams, &gateway, &report],
        &[
            Scenario::ScreenStream,
            Scenario::GatewayRead,
            Scenario::GetCase,
            Scenario::Report,
        ],
    );
}
