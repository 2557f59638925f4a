//! Every scenario in smoke mode (tiny data, about a second of load), so the tool cannot rot: each
//! must complete, answer requests and count no error. On PostgreSQL when
//! `GENUINE_TEST_POSTGRES_URL` is set, else SQLite. Figures are not checked: CI machines are
//! too noisy for that, and the full runs are manual (docs/benchmarks.md).

use genuine_bench::compare::run;
use genuine_bench::{BenchArgs, Scenario};

fn smoke(scenario: Scenario) -> BenchArgs {
    BenchArgs {
        smoke: true,
        postgres_url: std::env::var(genuine_runtime::storage::testing::POSTGRES_URL_VAR).ok(),
        ..BenchArgs::new(scenario)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_completes_without_errors() {
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
    let outcomes = [&compared, &standing, &echo];
    for scenario in Scenario::ALL {
        let ok: u64 = outcomes.iter().map(|o| o.ok(scenario)).sum();
        assert!(ok > 0, "{} answered no request", scenario.name());
    }
    for outcome in outcomes {
        assert_eq!(outcome.errors(), 0, "errors in:\n{outcome}");
    }
    assert!(compared.to_string().contains("| ok/s |"), "{compared}");
}
