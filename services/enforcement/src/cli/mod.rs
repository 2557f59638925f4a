//! `genuine notice|case|counter-notice|legal-action|appeal|report|audit|statements …`: the
//! operator and client commands of the enforcement service.
//!
//! The binary flattens [`EnforcementCommand`] into its sub-commands and calls [`run`] with the
//! service's endpoint and a bearer token.

mod print;

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_runtime::clients::{ClientConfig, ServiceChannel, ServiceCredentials, service_channel};
use genuine_runtime::errors::ServiceError;

/// A client of the enforcement service with the caller's token.
pub type Client = EnforcementServiceClient<ServiceChannel>;

/// The enforcement sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum EnforcementCommand {
    /// Notices: submit, get, list.
    #[command(subcommand)]
    Notice(NoticeCommand),
    /// Cases: get, list, decide.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The seller declares non-infringement (starts the counter-notice window).
    CounterNotice {
        case_id: String,
        #[arg(long)]
        declaration: String,
        #[arg(long = "evidence-url")]
        evidence_urls: Vec<String>,
    },
    /// The rights holder proves a complaint or lawsuit within the window.
    LegalAction {
        case_id: String,
        #[arg(long)]
        authority: String,
        #[arg(long)]
        reference: String,
    },
    /// Appeals: file, decide.
    #[command(subcommand)]
    Appeal(AppealCommand),
    /// Reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Statements of reasons.
    #[command(subcommand)]
    Statements(StatementsCommand),
}

/// `notice …`
#[derive(Debug, Clone, Subcommand)]
pub enum NoticeCommand {
    /// File a notice.
    Submit(Box<NoticeArgs>),
    /// Show a notice.
    Get { notice_id: String },
    /// List notices, newest first.
    List {
        #[arg(long, value_enum)]
        source: Option<SourceArg>,
        #[arg(long)]
        notifier: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

/// The fields of a notice.
#[derive(Debug, Clone, Args)]
pub struct NoticeArgs {
    /// Idempotency key; a new one when omitted.
    #[arg(long)]
    pub request_id: Option<String>,
    #[arg(long, value_enum)]
    pub source: SourceArg,
    #[arg(long, value_enum)]
    pub ground: GroundArg,
    /// A listing named by the notice (repeat for several).
    #[arg(long = "listing", required = true)]
    pub listing_ids: Vec<String>,
    #[arg(long)]
    pub explanation: String,
    #[arg(long)]
    pub notifier_id: String,
    #[arg(long, default_value = "")]
    pub name: String,
    #[arg(long, default_value = "")]
    pub email: String,
    #[arg(long, default_value = "")]
    pub organization: String,
    #[arg(long = "evidence-url")]
    pub evidence_urls: Vec<String>,
    /// Declare that the notice is accurate and made in good faith.
    #[arg(long)]
    pub good_faith: bool,
    #[arg(long, default_value = "")]
    pub jurisdiction: String,
    #[arg(long)]
    pub brand: Option<String>,
}

/// `case …`
#[derive(Debug, Clone, Subcommand)]
pub enum CaseCommand {
    /// Show a case with its timeline.
    Get { case_id: String },
    /// List cases by priority, then age.
    List {
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        #[arg(long)]
        jurisdiction: Option<String>,
        #[arg(long)]
        seller: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Uphold or reject an open case.
    Decide {
        case_id: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        #[arg(long)]
        explanation: String,
        #[arg(long, value_enum)]
        severity: Option<SeverityArg>,
    },
}

/// `appeal …`
#[derive(Debug, Clone, Subcommand)]
pub enum AppealCommand {
    /// Appeal a case's decision.
    File {
        case_id: String,
        #[arg(long)]
        grounds: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Decide an appeal.
    Decide {
        appeal_id: String,
        #[arg(long, value_enum)]
        outcome: AppealOutcomeArg,
        #[arg(long)]
        explanation: String,
    },
}

/// `report …`
#[derive(Debug, Clone, Subcommand)]
pub enum ReportCommand {
    /// The transparency report for a period (RFC 3339 times).
    Transparency {
        #[arg(long)]
        from: DateTime<Utc>,
        #[arg(long)]
        to: DateTime<Utc>,
        #[arg(long, default_value = "")]
        jurisdiction: String,
    },
}

/// `audit …`
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Show the signed tree head.
    Head,
    /// Recompute the log and report the first bad entry.
    Verify,
}

/// `statements …`
#[derive(Debug, Clone, Subcommand)]
pub enum StatementsCommand {
    /// Export statements as JSON lines in the Transparency Database form.
    Export {
        /// Only statements created at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<DateTime<Utc>>,
    },
}

macro_rules! arg_enum {
    ($name:ident => $pb:ty { $($variant:ident => $value:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, ValueEnum)]
        #[allow(missing_docs)]
        pub enum $name { $($variant),+ }

        impl From<$name> for i32 {
            fn from(v: $name) -> i32 {
                match v { $($name::$variant => <$pb>::$value.into()),+ }
            }
        }
    };
}

arg_enum!(SourceArg => pb::NoticeSource {
    RightsHolder => RightsHolder, Consumer => Consumer, TrustedFlagger => TrustedFlagger,
    Regulator => Regulator, AutomatedDetection => AutomatedDetection,
});
arg_enum!(GroundArg => pb::NoticeGround {
    Counterfeit => Counterfeit, TrademarkInfringement => TrademarkInfringement,
    DesignOrPatentInfringement => DesignOrPatentInfringement, SubstandardQuality => SubstandardQuality,
    UnsafeProduct => UnsafeProduct, ProhibitedProduct => ProhibitedProduct,
    MisleadingInformation => MisleadingInformation,
});
arg_enum!(StatusArg => pb::CaseStatus {
    Open => Open, ActionTaken => ActionTaken, Rejected => Rejected,
    CounterNoticePending => CounterNoticePending, MeasuresLifted => MeasuresLifted,
    MeasuresMaintained => MeasuresMaintained, Reversed => Reversed,
});
arg_enum!(OutcomeArg => pb::CaseOutcome { Uphold => Uphold, Reject => Reject });
arg_enum!(AppealOutcomeArg => pb::AppealOutcome { Reverse => Reverse, Uphold => Uphold });
arg_enum!(SeverityArg => pb::Severity { Low => Low, Medium => Medium, High => High, Critical => Critical });

/// Connects to `endpoint` (e.g. `http://127.0.0.1:50053`) with `token`.
///
/// # Errors
/// A bad endpoint or token.
pub fn connect(endpoint: &str, token: &str) -> anyhow::Result<Client> {
    let credentials =
        ServiceCredentials::static_token(token).context("the token is not a valid header value")?;
    let channel = service_channel(&ClientConfig::new(endpoint), credentials)
        .with_context(|| format!("bad endpoint {endpoint:?}"))?;
    Ok(EnforcementServiceClient::new(channel))
}

/// Runs `cmd` against the service at `endpoint`, printing to stdout.
///
/// # Errors
/// The service's answer, said plainly.
pub async fn run(cmd: EnforcementCommand, endpoint: &str, token: &str) -> anyhow::Result<()> {
    let client = connect(endpoint, token)?;
    run_with(cmd, &client, &mut std::io::stdout()).await
}

/// The service's refusal as an error a person can read, field violations included.
fn status(s: tonic::Status) -> anyhow::Error {
    let error = ServiceError::from_status(&s);
    let mut text = format!("{}: {}", error.code().name(), error.message());
    for v in error.field_violations() {
        text.push_str(&format!("\n  {}: {}", v.field, v.description));
    }
    anyhow::anyhow!(text)
}

fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    crate::store::effects::timestamp(t.timestamp_millis())
}

fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Like [`run`] with a given client and output (tests capture it).
///
/// # Errors
/// As [`run`].
pub async fn run_with(
    cmd: EnforcementCommand,
    client: &Client,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut c = client.clone();
    match cmd {
        EnforcementCommand::Notice(NoticeCommand::Submit(a)) => {
            let request = pb::SubmitNoticeRequest {
                request_id: a.request_id.unwrap_or_else(new_request_id),
                source: a.source.into(),
                notifier: Some(pb::Notifier {
                    notifier_id: a.notifier_id,
                    name: a.name,
                    email: a.email,
                    organization: a.organization,
                }),
                ground: a.ground.into(),
                listing_ids: a.listing_ids,
                brand_id: a.brand,
                explanation: a.explanation,
                evidence_urls: a.evidence_urls,
                good_faith_declaration: a.good_faith,
                jurisdiction: a.jurisdiction,
                automated_detection: None,
            };
            let notice = c
                .submit_notice(request)
                .await
                .map_err(status)?
                .into_inner()
                .notice;
            print::notice(out, notice.as_ref())?;
        }
        EnforcementCommand::Notice(NoticeCommand::Get { notice_id }) => {
            let notice = c
                .get_notice(pb::GetNoticeRequest { notice_id })
                .await
                .map_err(status)?
                .into_inner()
                .notice;
            print::notice(out, notice.as_ref())?;
        }
        EnforcementCommand::Notice(NoticeCommand::List {
            source,
            notifier,
            limit,
        }) => {
            let mut request = pb::ListNoticesRequest {
                source: source.map_or(0, Into::into),
                notifier_id: notifier.unwrap_or_default(),
                page_size: 100,
                page_token: String::new(),
            };
            let mut shown = 0;
            loop {
                let page = c
                    .list_notices(request.clone())
                    .await
                    .map_err(status)?
                    .into_inner();
                for notice in page.notices.iter().take(limit - shown) {
                    print::notice(out, Some(notice))?;
                    shown += 1;
                }
                if page.next_page_token.is_empty() || shown >= limit {
                    break;
                }
                request.page_token = page.next_page_token;
            }
        }
        EnforcementCommand::Case(CaseCommand::Get { case_id }) => {
            let case = c
                .get_case(pb::GetCaseRequest { case_id })
                .await
                .map_err(status)?
                .into_inner()
                .r#case;
            print::case(out, case.as_ref(), true)?;
        }
        EnforcementCommand::Case(CaseCommand::List {
            status: st,
            jurisdiction,
            seller,
            limit,
        }) => {
            let mut request = pb::ListCasesRequest {
                status: st.map_or(0, Into::into),
                source: 0,
                jurisdiction: jurisdiction.unwrap_or_default(),
                seller_id: seller.unwrap_or_default(),
                page_size: 100,
                page_token: String::new(),
            };
            let mut shown = 0;
            loop {
                let page = c
                    .list_cases(request.clone())
                    .await
                    .map_err(status)?
                    .into_inner();
                for case in page.cases.iter().take(limit - shown) {
                    print::case(out, Some(case), false)?;
                    shown += 1;
                }
                if page.next_page_token.is_empty() || shown >= limit {
                    break;
                }
                request.page_token = page.next_page_token;
            }
        }
        EnforcementCommand::Case(CaseCommand::Decide {
            case_id,
            outcome,
            explanation,
            severity,
        }) => {
            let request = pb::DecideCaseRequest {
                case_id,
                outcome: outcome.into(),
                explanation,
                severity: severity.map_or(0, Into::into),
            };
            let case = c
                .decide_case(request)
                .await
                .map_err(status)?
                .into_inner()
                .r#case;
            print::case(out, case.as_ref(), true)?;
        }
        EnforcementCommand::CounterNotice {
            case_id,
            declaration,
            evidence_urls,
        } => {
            let request = pb::SubmitCounterNoticeRequest {
                case_id,
                declaration,
                evidence_urls,
            };
            let case = c
                .submit_counter_notice(request)
                .await
                .map_err(status)?
                .into_inner()
                .r#case;
            print::case(out, case.as_ref(), true)?;
        }
        EnforcementCommand::LegalAction {
            case_id,
            authority,
            reference,
        } => {
            let request = pb::ConfirmLegalActionRequest {
                case_id,
                authority_or_court: authority,
                reference,
            };
            let case = c
                .confirm_legal_action(request)
                .await
                .map_err(status)?
                .into_inner()
                .r#case;
            print::case(out, case.as_ref(), true)?;
        }
        EnforcementCommand::Appeal(AppealCommand::File {
            case_id,
            grounds,
            request_id,
        }) => {
            let request = pb::FileAppealRequest {
                request_id: request_id.unwrap_or_else(new_request_id),
                case_id,
                grounds,
            };
            let appeal = c
                .file_appeal(request)
                .await
                .map_err(status)?
                .into_inner()
                .appeal;
            print::appeal(out, appeal.as_ref())?;
        }
        EnforcementCommand::Appeal(AppealCommand::Decide {
            appeal_id,
            outcome,
            explanation,
        }) => {
            let request = pb::DecideAppealRequest {
                appeal_id,
                outcome: outcome.into(),
                explanation,
            };
            let decided = c.decide_appeal(request).await.map_err(status)?.into_inner();
            print::appeal(out, decided.appeal.as_ref())?;
            print::case(out, decided.r#case.as_ref(), true)?;
        }
        EnforcementCommand::Report(ReportCommand::Transparency {
            from,
            to,
            jurisdiction,
        }) => {
            let request = pb::GetTransparencyReportRequest {
                start_time: Some(timestamp(from)),
                end_time: Some(timestamp(to)),
                jurisdiction,
            };
            let report = c
                .get_transparency_report(request)
                .await
                .map_err(status)?
                .into_inner()
                .report;
            print::report(out, report.as_ref())?;
        }
        EnforcementCommand::Audit(AuditCommand::Head) => {
            let head = c
                .get_audit_log_head(pb::GetAuditLogHeadRequest {})
                .await
                .map_err(status)?
                .into_inner()
                .head;
            print::head(out, head.as_ref())?;
        }
        EnforcementCommand::Audit(AuditCommand::Verify) => {
            let result = c
                .verify_audit_log(pb::VerifyAuditLogRequest::default())
                .await
                .map_err(status)?
                .into_inner();
            print::verification(out, &result)?;
            if !result.ok {
                anyhow::bail!("the audit log does not verify");
            }
        }
        EnforcementCommand::Statements(StatementsCommand::Export { since }) => {
            let mut request = pb::ListStatementsOfReasonsRequest {
                since_time: since.map(timestamp),
                page_size: 500,
                page_token: String::new(),
            };
            loop {
                let page = c
                    .list_statements_of_reasons(request.clone())
                    .await
                    .map_err(status)?
                    .into_inner();
                for s in &page.statements_of_reasons {
                    writeln!(out, "{}", s.transparency_database_json)?;
                }
                if page.next_page_token.is_empty() {
                    break;
                }
                request.page_token = page.next_page_token;
            }
        }
    }
    Ok(())
}
