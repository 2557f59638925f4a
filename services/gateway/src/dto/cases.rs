//! Cases and their timelines: `genuine.enforcement.v1.Case` in JSON.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{Actor, time};
use super::enums::{
    CaseEventKind, CaseOutcome, CasePriority, CaseStatus, NoticeGround, NoticeSource, Severity,
};

/// A case: one listing, one or more notices.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub case_id: String,
    pub listing_id: String,
    pub seller_id: String,
    pub status: CaseStatus,
    pub priority: CasePriority,
    pub notice_ids: Vec<String>,
    pub ground: NoticeGround,
    /// The source of the first notice.
    pub source: NoticeSource,
    /// ISO 3166-1 alpha-2.
    pub jurisdiction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<CaseDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_notice: Option<CounterNotice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_action: Option<LegalAction>,
    pub appeal_ids: Vec<String>,
    /// End of the counter-notice window while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_end_time: Option<DateTime<Utc>>,
    /// Every event, oldest first.
    pub timeline: Vec<CaseEvent>,
    pub statement_of_reasons_ids: Vec<String>,
    /// A measure (takedown) taken for this case is in force.
    pub measure_in_force: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<DateTime<Utc>>,
    /// Personal data was removed for this caller.
    pub redacted: bool,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDecision {
    pub outcome: CaseOutcome,
    pub explanation: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Actor>,
    /// No person took the decision.
    pub automated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decide_time: Option<DateTime<Utc>>,
}

/// The seller's declaration of non-infringement.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CounterNotice {
    pub declaration: String,
    pub evidence_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submit_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_time: Option<DateTime<Utc>>,
}

/// The rights holder's proof of a complaint or lawsuit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LegalAction {
    pub authority_or_court: String,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_time: Option<DateTime<Utc>>,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseEvent {
    pub kind: CaseEventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<DateTime<Utc>>,
    pub detail: String,
    pub from_status: CaseStatus,
    pub to_status: CaseStatus,
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseList {
    pub cases: Vec<Case>,
    /// Empty on the last page.
    pub next_page_token: String,
}

/// Filters of `GET /v1/cases`; the jurisdiction is always the caller's.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListCasesQuery {
    /// A `CaseStatus` value, e.g. `CASE_STATUS_OPEN`.
    pub status: Option<String>,
    /// A `NoticeSource` value, e.g. `NOTICE_SOURCE_REGULATOR`.
    pub source: Option<String>,
    /// Only this seller's cases.
    pub seller_id: Option<String>,
    /// At most this many (service default when absent).
    #[param(minimum = 1, maximum = 1000)]
    pub page_size: Option<i32>,
    /// `nextPageToken` of the previous page.
    pub page_token: Option<String>,
}

impl Case {
    #[must_use]
    pub fn from_proto(c: &pb::Case) -> Self {
        Self {
            case_id: c.case_id.clone(),
            listing_id: c.listing_id.clone(),
            seller_id: c.seller_id.clone(),
            status: CaseStatus(c.status),
            priority: CasePriority(c.priority),
            notice_ids: c.notice_ids.clone(),
            ground: NoticeGround(c.ground),
            source: NoticeSource(c.source),
            jurisdiction: c.jurisdiction.clone(),
            decision: c.decision.as_ref().map(|d| CaseDecision {
                outcome: CaseOutcome(d.outcome),
                explanation: d.explanation.clone(),
                severity: Severity(d.severity),
                decided_by: Actor::from_proto(d.decided_by.as_ref()),
                automated: d.automated,
                decide_time: time(d.decide_time.as_ref()),
            }),
            counter_notice: c.counter_notice.as_ref().map(|n| CounterNotice {
                declaration: n.declaration.clone(),
                evidence_urls: n.evidence_urls.clone(),
                submitted_by: Actor::from_proto(n.submitted_by.as_ref()),
                submit_time: time(n.submit_time.as_ref()),
                forward_time: time(n.forward_time.as_ref()),
            }),
            legal_action: c.legal_action.as_ref().map(|l| LegalAction {
                authority_or_court: l.authority_or_court.clone(),
                reference: l.reference.clone(),
                confirmed_by: Actor::from_proto(l.confirmed_by.as_ref()),
                confirm_time: time(l.confirm_time.as_ref()),
            }),
            appeal_ids: c.appeal_ids.clone(),
            window_end_time: time(c.window_end_time.as_ref()),
            timeline: c
                .timeline
                .iter()
                .map(|e| CaseEvent {
                    kind: CaseEventKind(e.kind),
                    actor: Actor::from_proto(e.actor.as_ref()),
                    event_time: time(e.event_time.as_ref()),
                    detail: e.detail.clone(),
                    from_status: CaseStatus(e.from_status),
                    to_status: CaseStatus(e.to_status),
                })
                .collect(),
            statement_of_reasons_ids: c.statement_of_reasons_ids.clone(),
            measure_in_force: c.measure_in_force,
            create_time: time(c.create_time.as_ref()),
            update_time: time(c.update_time.as_ref()),
            redacted: c.redacted,
        }
    }
}
