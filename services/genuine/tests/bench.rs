//! `genuine bench idle-rss --smoke` as a user runs it: the real binary starts every service as
//! its own `genuine serve <service>` process (and a listing with a small catalogue), waits until
//! each serves, and prints the resident memory of each. On PostgreSQL when
//! `GENUINE_TEST_POSTGRES_URL` is set, else SQLite. Figures are not checked (noisy machines);
//! the full run is manual (docs/benchmarks.md).

use std::process::Command;

#[test]
fn idle_rss_starts_every_service_and_reads_its_memory() {
    let output = Command::new(env!("CARGO_BIN_EXE_genuine"))
        .args(["bench", "idle-rss", "--smoke"])
        .output()
        .expect("genuine runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for service in [
        "reputation",
        "listing",
        "enforcement",
        "gateway",
        "listing + ",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {service}")))
            .unwrap_or_else(|| panic!("no row for {service}:\n{stdout}"));
        let rss: f64 = row
            .split('|')
            .nth(2)
            .and_then(|cell| cell.trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmRSS in {row}"));
        assert!(rss > 1.0, "{row}");
    }
}
