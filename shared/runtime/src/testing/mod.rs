//! What tests of every service share: a service started in-process ([`ServiceUnderTest`]) and
//! gates for tests that need more than Rust (`kubectl`, Chromium, Python packages).
//!
//! One harness, so that each service's tests keep only what is theirs (their client, their
//! fakes) and a change to how services start is made once.
//!
//! The gates: `cargo test --workspace` must pass on a machine with only Rust, yet CI must never skip
//! these checks silently. Like `GENUINE_TEST_POSTGRES_URL` for PostgreSQL, `GENUINE_TEST_TOOLS=1`
//! turns them on: CI sets it (and installs the tools), and then a missing tool fails the test.

/// The variable that turns on tests needing tools beyond Rust.
pub const TOOLS_VAR: &str = "GENUINE_TEST_TOOLS";

/// Whether tests needing `tool` run here. When they do not, says so on stderr, so a local run
/// shows what it left out.
#[must_use]
pub fn tool_tests_enabled(tool: &str) -> bool {
    let enabled = std::env::var(TOOLS_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
    if !enabled {
        eprintln!("not run here: this test needs {tool}; set {TOOLS_VAR}=1 to run it (CI does)");
    }
    enabled
}

mod service;

pub use service::{Launch, SECRET, ServiceUnderTest, authed, issuer};
