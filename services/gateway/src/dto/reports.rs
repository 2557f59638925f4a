//! The transparency report: notices, actions, timings, counter-notices, appeals for a period.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{duration, time};
use super::enums::{CaseStatus, NoticeGround, NoticeSource};

/// Aggregated figures for a period in the caller's jurisdiction.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    pub jurisdiction: String,
    pub notices_total: u64,
    pub notices_by_source: Vec<SourceCount>,
    pub notices_by_ground: Vec<GroundCount>,
    /// Cases created in the period, by current status.
    pub cases_by_status: Vec<StatusCount>,
    pub cases_upheld: u64,
    pub cases_rejected: u64,
    /// Share (0..1) of cases opened by automated detection.
    pub automated_detection_share: f64,
    /// Median time from first notice to first measure, e.g. `"3600s"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_notice_to_action: Option<String>,
    /// 90th percentile of the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p90_notice_to_action: Option<String>,
    pub counter_notices: u64,
    pub restorations_after_window: u64,
    pub legal_actions_confirmed: u64,
    pub appeals: u64,
    pub reversals: u64,
    pub notifiers_suspended: u64,
}

/// Notices of one source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceCount {
    pub source: NoticeSource,
    pub count: u64,
}

/// Notices on one ground.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroundCount {
    pub ground: NoticeGround,
    pub count: u64,
}

/// Cases in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: CaseStatus,
    pub count: u64,
}

/// Period of `GET /v1/reports/transparency` (default: the last 30 days).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Start of the period (RFC 3339, inclusive).
    pub from: Option<String>,
    /// End of the period (RFC 3339, exclusive).
    pub to: Option<String>,
}

impl Report {
    #[must_use]
    pub fn from_proto(r: &pb::TransparencyReport) -> Self {
        Self {
            start_time: time(r.start_time.as_ref()),
            end_time: time(r.end_time.as_ref()),
            jurisdiction: r.jurisdiction.clone(),
            notices_total: r.notices_total,
            notices_by_source: r
                .notices_by_source
                .iter()
                .map(|c| SourceCount {
                    source: NoticeSource(c.source),
                    count: c.count,
                })
                .collect(),
            notices_by_ground: r
                .notices_by_ground
                .iter()
                .map(|c| GroundCount {
                    ground: NoticeGround(c.ground),
                    count: c.count,
                })
                .collect(),
            cases_by_status: r
                .cases_by_status
                .iter()
                .map(|c| StatusCount {
                    status: CaseStatus(c.status),
                    count: c.count,
                })
                .collect(),
            cases_upheld: r.cases_upheld,
            cases_rejected: r.cases_rejected,
            automated_detection_share: r.automated_detection_share,
            median_notice_to_action: duration(r.median_notice_to_action.as_ref()),
            p90_notice_to_action: duration(r.p90_notice_to_action.as_ref()),
            counter_notices: r.counter_notices,
            restorations_after_window: r.restorations_after_window,
            legal_actions_confirmed: r.legal_actions_confirmed,
            appeals: r.appeals,
            reversals: r.reversals,
            notifiers_suspended: r.notifiers_suspended,
        }
    }
}
