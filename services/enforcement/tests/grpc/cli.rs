//! The CLI commands against the running service.

use clap::Parser;
use genuine_enforcement::cli::{self, EnforcementCommand};

use crate::support::{As, Running};

/// The commands as the `genuine` binary would mount them.
#[derive(Debug, Parser)]
struct Genuine {
    #[command(subcommand)]
    command: EnforcementCommand,
}

async fn run(running: &Running, who: As, args: &[&str]) -> anyhow::Result<String> {
    let command =
        Genuine::try_parse_from(std::iter::once("genuine").chain(args.iter().copied()))?.command;
    let client = cli::connect(&running.url, &running.token(who).expect("token"))?;
    let mut out = Vec::new();
    cli::run_with(command, &client, &mut out).await?;
    Ok(String::from_utf8(out)?)
}

#[tokio::test]
async fn notice_decide_export_and_verify_from_the_command_line() {
    for running in Running::all().await {
        let submitted = run(
            &running,
            As::RightsHolder("brand-1"),
            &[
                "notice",
                "submit",
                "--source",
                "rights-holder",
                "--ground",
                "counterfeit",
                "--listing",
                "l-1",
                "--explanation",
                "Fake logo.",
                "--notifier-id",
                "brand-1",
                "--name",
                "Acme Legal",
                "--email",
                "legal@acme.example",
                "--good-faith",
                "--jurisdiction",
                "DE",
            ],
        )
        .await
        .expect("submitted");
        let case_id = submitted
            .trim()
            .rsplit("cases: ")
            .next()
            .expect("case id")
            .to_owned();
        assert!(
            submitted.contains("NOTICE_SOURCE_RIGHTS_HOLDER"),
            "{submitted}"
        );

        let incomplete = run(
            &running,
            As::RightsHolder("brand-1"),
            &[
                "notice",
                "submit",
                "--source",
                "rights-holder",
                "--ground",
                "counterfeit",
                "--listing",
                "l-1",
                "--explanation",
                "x",
                "--notifier-id",
                "brand-1",
            ],
        )
        .await
        .expect_err("incomplete");
        let text = incomplete.to_string();
        assert!(
            text.contains("notifier.name") && text.contains("good_faith_declaration"),
            "{text}"
        );

        let decided = run(
            &running,
            As::Reviewer("rev-1"),
            &[
                "case",
                "decide",
                &case_id,
                "--outcome",
                "uphold",
                "--explanation",
                "Test purchase.",
                "--severity",
                "high",
            ],
        )
        .await
        .expect("decided");
        assert!(decided.contains("CASE_STATUS_ACTION_TAKEN"), "{decided}");

        let exported = run(&running, As::Admin, &["statements", "export"])
            .await
            .expect("export");
        let lines: Vec<serde_json::Value> = exported
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["content_type"][0], "CONTENT_TYPE_PRODUCT");

        let verified = run(&running, As::Admin, &["audit", "verify"])
            .await
            .expect("verified");
        assert!(verified.starts_with("ok\t"), "{verified}");
        let report = run(
            &running,
            As::Admin,
            &[
                "report",
                "transparency",
                "--from",
                "2026-03-01T00:00:00Z",
                "--to",
                "2026-03-03T00:00:00Z",
            ],
        )
        .await
        .expect("report");
        assert!(report.contains("notices\t1"), "{report}");
        running.stop().await;
    }
}
