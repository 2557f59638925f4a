//! Schemathesis against the gateway in front of the real services: the OpenAPI document matches
//! behaviour. Ignored by default because it installs schemathesis from PyPI; run it with
//! `cargo test -p genuine-gateway --test gateway schemathesis -- --ignored`. CI runs the same
//! script against `genuine up`.

use std::path::Path;

use crate::support::{ALL_SCOPES, Options, Suite, Token, upheld_case};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "installs schemathesis from PyPI; run with --ignored"]
async fn schemathesis_finds_no_failure() {
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
