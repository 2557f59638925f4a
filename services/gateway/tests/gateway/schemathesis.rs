//! Schemathesis against the gateway in front of the real services: the OpenAPI document matches
//! behaviour. It needs python3 (`.ci/schemathesis` installs schemathesis from PyPI into a
//! virtualenv), so it runs only with `GENUINE_TEST_TOOLS=1` (CI sets it; see
//! `genuine_runtime::testing`): `GENUINE_TEST_TOOLS=1 cargo test -p genuine-gateway --test
//! gateway schemathesis`. Then a failing install or a failed check fails it. CI also runs the
//! same script against `genuine up`.

use std::path::Path;

use crate::support::{ALL_SCOPES, Options, Suite, Token, upheld_case};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure() {
    if !genuine_runtime::testing::tool_tests_enabled(
        "python3 with schemathesis (installed by .ci/schemathesis)",
    ) {
        return;
    }
    let suite = Suite::start_with(Options {
        settings: vec![("GENUINE_GATEWAY_RATE_LIMIT", "100000/1s".to_owned())],
        ..Options::default()
    })
    .await;
    let token = suite.token(&Token::regulator("reg-it", "IT").with_scopes(&ALL_SCOPES));
    // Data to reach through the document's links: a case, its listing and its seller.
    upheld_case(&suite, &token).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/schemathesis");
    let base = suite.base.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg(script)
            .arg(base)
            .arg(token)
            .status()
    })
    .await
    .expect("join")
    .expect("the script runs");
    suite.stop().await;
    assert!(status.success(), "schemathesis reported failures");
}
