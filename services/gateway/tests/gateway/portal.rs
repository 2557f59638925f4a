//! The portal page in headless Chromium against the running suite: what a regulator sees after
//! opening it with a token, a case and a verification.
//!
//! These tests need Chromium, so they run only with `GENUINE_TEST_TOOLS=1` (CI sets it; see
//! `genuine_runtime::testing`); then a missing Chromium fails them, they do not skip.

use std::process::Command;
use std::time::Duration;

use crate::support::{Suite, Token, upheld_case};

/// `chromium` (Debian) or `GENUINE_CHROMIUM`; once the gate lets the test run, a missing browser
/// fails it, it never skips.
fn chromium() -> String {
    let binary = std::env::var("GENUINE_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let found = Command::new(&binary).arg("--version").output();
    match found {
        Ok(out) if out.status.success() => binary,
        _ => panic!(
            "the portal test needs Chromium: `{binary}` was not found. Install it with \
             `apt-get update && apt-get install -y chromium` (or set GENUINE_CHROMIUM)"
        ),
    }
}

/// The DOM after the page's scripts ran (network requests pause Chromium's virtual time, so
/// the budget is spent only once the page is idle).
async fn rendered(url: String) -> String {
    let binary = chromium();
    let profile = tempfile::tempdir().expect("profile dir");
    let profile_arg = format!("--user-data-dir={}", profile.path().display());
    let run = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--virtual-time-budget=15000",
                "--dump-dom",
            ])
            .arg(profile_arg)
            .arg(url)
            .output()
    });
    let output = tokio::time::timeout(Duration::from_secs(90), run)
        .await
        .expect("chromium finished in time")
        .expect("join")
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 DOM")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_sees_its_cases_a_timeline_a_statement_the_report_and_a_verified_log() {
    if !genuine_runtime::testing::tool_tests_enabled("chromium") {
        return;
    }
    let suite = Suite::start().await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let case_id = upheld_case(&suite, &token).await;

    let dom = rendered(format!(
        "{}/#token={token}&case={case_id}&verify=1",
        suite.base
    ))
    .await;

    assert!(
        dom.contains(r#"data-ready="true""#),
        "the page finished: {dom}"
    );
    assert!(
        dom.contains(r#"<p id="error" class="error" role="alert"></p>"#),
        "no error shown: {dom}"
    );
    assert!(
        dom.contains("Signed in as reg-it (Agency of reg-it), jurisdiction IT"),
        "{dom}"
    );
    // The case list, with the case in it.
    assert!(
        dom.contains(&format!(r#"<tr data-case-id="{case_id}">"#)),
        "{dom}"
    );
    assert!(dom.contains("1 case(s) shown"), "{dom}");
    // The opened case: its timeline and statement of reasons.
    assert!(
        dom.contains(&format!(r#"<span id="case-id">{case_id}</span>"#)),
        "{dom}"
    );
    assert!(dom.contains("<strong>Opened</strong>"), "timeline: {dom}");
    assert!(dom.contains("<strong>Upheld</strong>"), "timeline: {dom}");
    assert!(
        dom.contains(r#"class="facts statement""#),
        "statement shown: {dom}"
    );
    assert!(dom.contains("<dt>Territorial scope</dt>"), "{dom}");
    // The transparency report as a chart.
    assert!(
        dom.contains(r#"aria-label="Notices by source""#),
        "chart: {dom}"
    );
    assert!(
        dom.contains(r#"data-label="Regulator" data-count="1""#),
        "a bar for the notice: {dom}"
    );
    // The audit log, verified.
    assert!(dom.contains("Audit log intact:"), "verification: {dom}");
    assert!(dom.contains(r#"class="ok""#), "{dom}");
    // And checked independently in the browser: signature and inclusion proofs.
    assert!(
        dom.contains("Checked in your browser: signed head verified"),
        "browser check: {dom}"
    );
    assert!(
        dom.contains("of the latest entries proven included"),
        "{dom}"
    );
    // For a look at the page: GENUINE_PORTAL_SCREENSHOT=/tmp/portal.png.
    if let Ok(path) = std::env::var("GENUINE_PORTAL_SCREENSHOT") {
        let url = format!("{}/#token={token}&case={case_id}&verify=1", suite.base);
        let status = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args(["--virtual-time-budget=15000", "--window-size=1200,2600"])
            .arg(format!("--screenshot={path}"))
            .arg(url)
            .status()
            .expect("chromium runs");
        assert!(status.success());
    }
    suite.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_filters_narrow_the_list() {
    if !genuine_runtime::testing::tool_tests_enabled("chromium") {
        return;
    }
    let suite = Suite::start().await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    let case_id = upheld_case(&suite, &token).await;

    let reversed = rendered(format!(
        "{}/#token={token}&status=CASE_STATUS_REVERSED",
        suite.base
    ))
    .await;
    assert!(reversed.contains("0 case(s) shown"), "{reversed}");
    assert!(
        reversed.contains(r#"<option value="CASE_STATUS_REVERSED">Reversed</option>"#),
        "{reversed}"
    );
    assert!(!reversed.contains(&case_id), "{reversed}");

    let taken = rendered(format!(
        "{}/#token={token}&status=CASE_STATUS_ACTION_TAKEN&source=NOTICE_SOURCE_REGULATOR&seller=s-it",
        suite.base
    ))
    .await;
    assert!(taken.contains("1 case(s) shown"), "{taken}");
    assert!(
        taken.contains(&format!(r#"<tr data-case-id="{case_id}">"#)),
        "{taken}"
    );
    suite.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_page_asks_for_one_and_a_bad_token_is_reported() {
    if !genuine_runtime::testing::tool_tests_enabled("chromium") {
        return;
    }
    let suite = Suite::start().await;
    let page = suite.get("/", None).await;
    assert_eq!(page.status.as_u16(), 200);
    let csp = page.headers["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("script-src 'self'"), "{csp}");

    let dom = rendered(format!("{}/", suite.base)).await;
    assert!(dom.contains("Paste the bearer token"), "{dom}");
    assert!(dom.contains(r#"<section id="cases" hidden="">"#), "{dom}");

    let dom = rendered(format!("{}/#token=not.a.token", suite.base)).await;
    assert!(
        dom.contains("401 Unauthorized: invalid credentials"),
        "{dom}"
    );
    suite.stop().await;
}
