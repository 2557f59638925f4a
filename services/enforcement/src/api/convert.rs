//! Proto ⇄ domain and store conversions. Enum values are mapped by name: the domain's stored
//! names are the proto value names without their enum prefix.

use genuine_contracts::genuine::common::v1::Actor as PbActor;
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_runtime::clock::to_millis;
use prost_types::Timestamp;

use super::access::CaseAccess;
use crate::domain::case_state::CaseStatus;
use crate::domain::vocabulary::{AppealOutcome, CaseOutcome, NoticeGround, NoticeSource, Severity};
use crate::store::entities::{appeal, buyer_notification, notice, statement};
use crate::store::{CaseView, Trader, parse_list};

/// A timestamp from epoch milliseconds.
#[must_use]
pub fn ts(millis: i64) -> Timestamp {
    crate::store::effects::timestamp(millis)
}

fn ts_opt(millis: Option<i64>) -> Option<Timestamp> {
    millis.map(ts)
}

/// Epoch milliseconds of a timestamp (out-of-range values clamp).
#[must_use]
pub fn millis(t: &Timestamp) -> i64 {
    let time = chrono::DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0))
        .unwrap_or_default();
    to_millis(time)
}

fn strip<'a>(full: &'a str, prefix: &str) -> Option<&'a str> {
    full.strip_prefix(prefix)
}

/// The domain source of a proto value; `None` for unspecified or unknown.
#[must_use]
pub fn source(value: i32) -> Option<NoticeSource> {
    let v = pb::NoticeSource::try_from(value).ok()?;
    NoticeSource::parse(strip(v.as_str_name(), "NOTICE_SOURCE_")?)
}

/// The domain ground of a proto value.
#[must_use]
pub fn ground(value: i32) -> Option<NoticeGround> {
    let v = pb::NoticeGround::try_from(value).ok()?;
    NoticeGround::parse(strip(v.as_str_name(), "NOTICE_GROUND_")?)
}

/// The domain case status of a proto value.
#[must_use]
pub fn status(value: i32) -> Option<CaseStatus> {
    let v = pb::CaseStatus::try_from(value).ok()?;
    CaseStatus::parse(strip(v.as_str_name(), "CASE_STATUS_")?)
}

/// The domain outcome of a proto value.
#[must_use]
pub fn case_outcome(value: i32) -> Option<CaseOutcome> {
    let v = pb::CaseOutcome::try_from(value).ok()?;
    CaseOutcome::parse(strip(v.as_str_name(), "CASE_OUTCOME_")?)
}

/// The domain appeal outcome of a proto value.
#[must_use]
pub fn appeal_outcome(value: i32) -> Option<AppealOutcome> {
    let v = pb::AppealOutcome::try_from(value).ok()?;
    AppealOutcome::parse(strip(v.as_str_name(), "APPEAL_OUTCOME_")?)
}

/// The domain severity of a proto value.
#[must_use]
pub fn severity(value: i32) -> Option<Severity> {
    let v = pb::Severity::try_from(value).ok()?;
    Severity::parse(strip(v.as_str_name(), "SEVERITY_")?)
}

fn enum_value<E>(prefix: &str, stored: &str, parse: impl Fn(&str) -> Option<E>) -> i32
where
    E: Into<i32>,
{
    parse(&format!("{prefix}{stored}")).map_or(0, Into::into)
}

fn pb_source(stored: &str) -> i32 {
    enum_value("NOTICE_SOURCE_", stored, pb::NoticeSource::from_str_name)
}

fn pb_ground(stored: &str) -> i32 {
    enum_value("NOTICE_GROUND_", stored, pb::NoticeGround::from_str_name)
}

fn pb_status(stored: &str) -> i32 {
    enum_value("CASE_STATUS_", stored, pb::CaseStatus::from_str_name)
}

fn actor(subject: Option<&str>, role: Option<&str>) -> Option<PbActor> {
    subject.map(|s| PbActor {
        subject: s.to_owned(),
        role: role.unwrap_or_default().to_owned(),
    })
}

/// A notice for the API.
#[must_use]
pub fn notice(n: &notice::Model) -> pb::Notice {
    pb::Notice {
        notice_id: n.notice_id.clone(),
        request_id: n.request_id.clone(),
        source: pb_source(&n.source),
        notifier: Some(pb::Notifier {
            notifier_id: n.notifier_id.clone(),
            name: n.notifier_name.clone(),
            email: n.notifier_email.clone(),
            organization: n.notifier_organization.clone(),
        }),
        ground: pb_ground(&n.ground),
        listing_ids: parse_list(&n.listing_ids),
        brand_id: n.brand_id.clone(),
        explanation: n.explanation.clone(),
        evidence_urls: parse_list(&n.evidence_urls),
        good_faith_declaration: n.good_faith_declaration,
        jurisdiction: n.jurisdiction.clone(),
        case_ids: parse_list(&n.case_ids),
        status: enum_value("NOTICE_STATUS_", &n.status, pb::NoticeStatus::from_str_name),
        receipt_time: Some(ts(n.received_at)),
        submitted_by: actor(Some(&n.submitted_by_subject), Some(&n.submitted_by_role)),
        automated_detection: n
            .automated_detection
            .as_deref()
            .and_then(|json| serde_json::from_str::<AutomatedJson>(json).ok())
            .map(Into::into),
    }
}

/// The stored form of the automated-detection details.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AutomatedJson {
    pub risk_score: u32,
    pub decision: String,
    pub signals: Vec<String>,
}

impl From<&pb::AutomatedDetection> for AutomatedJson {
    fn from(a: &pb::AutomatedDetection) -> Self {
        Self {
            risk_score: a.risk_score,
            decision: a.decision.clone(),
            signals: a.signals.clone(),
        }
    }
}

impl From<AutomatedJson> for pb::AutomatedDetection {
    fn from(a: AutomatedJson) -> Self {
        Self {
            risk_score: a.risk_score,
            decision: a.decision,
            signals: a.signals,
        }
    }
}

/// A case for the API; a redacted view keeps only the caller's own identity and roles.
#[must_use]
pub fn case(view: &CaseView, access: CaseAccess, caller: &str) -> pb::Case {
    let c = &view.case;
    let redacted = access == CaseAccess::Redacted;
    let who = |subject: Option<&str>, role: Option<&str>| -> Option<PbActor> {
        let mut a = actor(subject, role)?;
        if redacted && a.subject != caller {
            a.subject.clear();
        }
        Some(a)
    };
    let decision = c
        .decision_outcome
        .as_deref()
        .map(|outcome| pb::CaseDecision {
            outcome: enum_value("CASE_OUTCOME_", outcome, pb::CaseOutcome::from_str_name),
            explanation: c.decision_explanation.clone().unwrap_or_default(),
            severity: c.decision_severity.as_deref().map_or(0, |s| {
                enum_value("SEVERITY_", s, pb::Severity::from_str_name)
            }),
            decided_by: who(
                c.decided_by_subject.as_deref(),
                c.decided_by_role.as_deref(),
            ),
            automated: c.decision_automated,
            decide_time: ts_opt(c.decided_at),
        });
    let counter_notice = c
        .counter_declaration
        .as_ref()
        .map(|declaration| pb::CounterNotice {
            declaration: declaration.clone(),
            evidence_urls: c
                .counter_evidence_urls
                .as_deref()
                .map(parse_list)
                .unwrap_or_default(),
            submitted_by: who(
                c.counter_by_subject.as_deref(),
                c.counter_by_role.as_deref(),
            ),
            submit_time: ts_opt(c.counter_at),
            forward_time: ts_opt(c.counter_forwarded_at),
        });
    let legal_action = c.legal_authority.as_ref().map(|authority| pb::LegalAction {
        authority_or_court: authority.clone(),
        reference: c.legal_reference.clone().unwrap_or_default(),
        confirmed_by: who(c.legal_by_subject.as_deref(), c.legal_by_role.as_deref()),
        confirm_time: ts_opt(c.legal_at),
    });
    pb::Case {
        case_id: c.case_id.clone(),
        listing_id: c.listing_id.clone(),
        seller_id: c.seller_id.clone(),
        status: pb_status(&c.status),
        priority: c.priority,
        notice_ids: view.notice_ids.clone(),
        ground: pb_ground(&c.ground),
        source: pb_source(&c.source),
        jurisdiction: c.jurisdiction.clone(),
        decision,
        counter_notice,
        legal_action,
        appeal_ids: view.appeal_ids.clone(),
        window_end_time: ts_opt(c.window_end_at),
        timeline: view
            .timeline
            .iter()
            .map(|e| pb::CaseEvent {
                kind: enum_value(
                    "CASE_EVENT_KIND_",
                    &e.kind,
                    pb::CaseEventKind::from_str_name,
                ),
                actor: who(Some(&e.actor_subject), Some(&e.actor_role)),
                event_time: Some(ts(e.at)),
                detail: if redacted {
                    String::new()
                } else {
                    e.detail.clone()
                },
                from_status: e.from_status.as_deref().map_or(0, pb_status),
                to_status: pb_status(&e.to_status),
            })
            .collect(),
        statement_of_reasons_ids: view.statement_ids.clone(),
        measure_in_force: c.listing_down,
        create_time: Some(ts(c.created_at)),
        update_time: Some(ts(c.updated_at)),
        redacted,
    }
}

/// An appeal for the API.
#[must_use]
pub fn appeal(a: &appeal::Model) -> pb::Appeal {
    pb::Appeal {
        appeal_id: a.appeal_id.clone(),
        case_id: a.case_id.clone(),
        appellant_party: enum_value(
            "APPELLANT_PARTY_",
            &a.appellant_party,
            pb::AppellantParty::from_str_name,
        ),
        appellant: actor(Some(&a.appellant_subject), Some(&a.appellant_role)),
        grounds: a.grounds.clone(),
        status: enum_value("APPEAL_STATUS_", &a.status, pb::AppealStatus::from_str_name),
        outcome: a.outcome.as_deref().map_or(0, |o| {
            enum_value("APPEAL_OUTCOME_", o, pb::AppealOutcome::from_str_name)
        }),
        explanation: a.explanation.clone().unwrap_or_default(),
        decided_by: actor(
            a.decided_by_subject.as_deref(),
            a.decided_by_role.as_deref(),
        ),
        file_time: Some(ts(a.filed_at)),
        decide_time: ts_opt(a.decided_at),
    }
}

/// A statement of reasons for the API, from its stored Transparency Database body.
#[must_use]
pub fn statement(s: &statement::Model) -> pb::StatementOfReasons {
    let body: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
    let text = |key: &str| body[key].as_str().unwrap_or_default().to_owned();
    let list = |key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let value = |key: &str, parse: fn(&str) -> Option<i32>| {
        parse(body[key].as_str().unwrap_or_default()).unwrap_or(0)
    };
    pb::StatementOfReasons {
        statement_of_reasons_id: s.statement_id.clone(),
        case_id: s.case_id.clone(),
        decision_visibility: list("decision_visibility")
            .iter()
            .filter_map(|v| pb::DecisionVisibility::from_str_name(v).map(Into::into))
            .collect(),
        decision_account: value("decision_account", |v| {
            pb::DecisionAccount::from_str_name(v).map(Into::into)
        }),
        decision_ground: value("decision_ground", |v| {
            pb::DecisionGround::from_str_name(v).map(Into::into)
        }),
        illegal_content_legal_ground: text("illegal_content_legal_ground"),
        illegal_content_explanation: text("illegal_content_explanation"),
        incompatible_content_ground: text("incompatible_content_ground"),
        incompatible_content_explanation: text("incompatible_content_explanation"),
        content_type: list("content_type")
            .first()
            .and_then(|v| pb::ContentType::from_str_name(v))
            .map_or(0, Into::into),
        category: value("category", |v| {
            pb::StatementCategory::from_str_name(v).map(Into::into)
        }),
        category_specification: list("category_specification")
            .iter()
            .filter_map(|v| pb::Keyword::from_str_name(v).map(Into::into))
            .collect(),
        decision_facts: text("decision_facts"),
        source_type: value("source_type", |v| {
            pb::Source::from_str_name(v).map(Into::into)
        }),
        automated_detection: text("automated_detection") == "Yes",
        automated_decision: value("automated_decision", |v| {
            pb::AutomatedDecision::from_str_name(v).map(Into::into)
        }),
        territorial_scope: list("territorial_scope"),
        application_date: text("application_date"),
        content_date: text("content_date"),
        account_type: value("account_type", |v| {
            pb::AccountType::from_str_name(v).map(Into::into)
        }),
        puid: text("puid"),
        create_time: Some(ts(s.created_at)),
        transparency_database_json: s.body.clone(),
        supersedes_statement_of_reasons_id: s.supersedes.clone().unwrap_or_default(),
    }
}

/// A buyer-information entry for the API.
#[must_use]
pub fn buyer_notification(b: &buyer_notification::Model) -> pb::BuyerNotification {
    let trader: Trader = serde_json::from_str(&b.trader).unwrap_or_default();
    pb::BuyerNotification {
        buyer_notification_id: b.buyer_notification_id.clone(),
        case_id: b.case_id.clone(),
        listing_id: b.listing_id.clone(),
        trader: Some(pb::TraderIdentity {
            seller_id: trader.seller_id,
            name: trader.name,
            address: trader.address,
            email: trader.email,
            phone: trader.phone,
        }),
        ground: pb_ground(&b.ground),
        illegality: b.illegality.clone(),
        means_of_redress: b.means_of_redress.clone(),
        purchases_since_time: Some(ts(b.purchases_since)),
        create_time: Some(ts(b.created_at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_value_has_its_proto_value() {
        for s in NoticeSource::ALL {
            let v = pb_source(s.as_str());
            assert_ne!(v, 0, "{s}");
            assert_eq!(source(v), Some(*s));
        }
        for g in NoticeGround::ALL {
            let v = pb_ground(g.as_str());
            assert_ne!(v, 0, "{g}");
            assert_eq!(ground(v), Some(*g));
        }
        for s in CaseStatus::ALL {
            let v = pb_status(s.as_str());
            assert_ne!(v, 0, "{s}");
            assert_eq!(status(v), Some(*s));
        }
        for kind in [
            "OPENED",
            "NOTICE_JOINED",
            "TAKEN_DOWN_ON_RECEIPT",
            "UPHELD",
            "REJECTED",
            "COUNTER_NOTICE_FILED",
            "LEGAL_ACTION_CONFIRMED",
            "WINDOW_EXPIRED",
            "APPEAL_FILED",
            "APPEAL_UPHELD",
            "APPEAL_REVERSED",
        ] {
            assert_ne!(
                enum_value("CASE_EVENT_KIND_", kind, pb::CaseEventKind::from_str_name),
                0,
                "{kind}"
            );
        }
        assert_eq!(source(0), None);
        assert_eq!(
            case_outcome(pb::CaseOutcome::Reject.into()),
            Some(CaseOutcome::Reject)
        );
        assert_eq!(
            appeal_outcome(pb::AppealOutcome::Reverse.into()),
            Some(AppealOutcome::Reverse)
        );
        assert_eq!(
            severity(pb::Severity::Critical.into()),
            Some(Severity::Critical)
        );
    }

    #[test]
    fn timestamps_round_trip() {
        for ms in [0, 1, 999, 1_700_000_000_123, -1] {
            assert_eq!(millis(&ts(ms)), ms);
        }
    }
}
