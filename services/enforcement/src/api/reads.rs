//! Statements of reasons, buyer information and the transparency report.

use chrono::{Duration, NaiveTime};
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::clock::from_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::EnforcementApi;
use super::access;
use super::convert::{self, millis};
use crate::domain::case_state::CaseStatus;
use crate::domain::vocabulary::{NoticeGround, NoticeSource};
use crate::store::PageRequest;
use crate::store::report::metric;

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn duration(ms: i64) -> prost_types::Duration {
    prost_types::Duration {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

impl EnforcementApi {
    pub(super) async fn get_statement(
        &self,
        p: &Principal,
        req: pb::GetStatementOfReasonsRequest,
    ) -> ServiceResult<pb::GetStatementOfReasonsResponse> {
        if req.statement_of_reasons_id.trim().is_empty() {
            return Err(ServiceError::invalid_field(
                "statement_of_reasons_id",
                "is required",
            ));
        }
        let statement = self.store.statement(&req.statement_of_reasons_id).await?;
        if let Some(seller) = access::statements_of(p)
            && statement.seller_id != seller
        {
            return Err(ServiceError::permission_denied(
                "a seller reads the statements about its own listings only",
            ));
        }
        Ok(pb::GetStatementOfReasonsResponse {
            statement_of_reasons: Some(convert::statement(&statement)),
        })
    }

    pub(super) async fn list_statements(
        &self,
        p: &Principal,
        req: pb::ListStatementsOfReasonsRequest,
    ) -> ServiceResult<pb::ListStatementsOfReasonsResponse> {
        let since = req.since_time.as_ref().map_or(0, millis);
        let seller = access::statements_of(p);
        let page = PageRequest {
            size: req.page_size,
            token: req.page_token,
        };
        let found = self
            .store
            .statements(since, seller.as_deref(), &page)
            .await?;
        Ok(pb::ListStatementsOfReasonsResponse {
            statements_of_reasons: found.items.iter().map(convert::statement).collect(),
            next_page_token: found.next_token,
        })
    }

    pub(super) async fn list_buyer_notifications(
        &self,
        req: pb::ListBuyerNotificationsRequest,
    ) -> ServiceResult<pb::ListBuyerNotificationsResponse> {
        let since = req.since_time.as_ref().map_or(0, millis);
        let page = PageRequest {
            size: req.page_size,
            token: req.page_token,
        };
        let found = self.store.buyer_notifications(since, &page).await?;
        Ok(pb::ListBuyerNotificationsResponse {
            buyer_notifications: found
                .items
                .iter()
                .map(convert::buyer_notification)
                .collect(),
            next_page_token: found.next_token,
        })
    }

    /// Figures for whole UTC days from the day of `start_time` to the day of `end_time`
    /// (a midnight end excludes its day).
    pub(super) async fn transparency_report(
        &self,
        p: &Principal,
        req: pb::GetTransparencyReportRequest,
    ) -> ServiceResult<pb::GetTransparencyReportResponse> {
        let mut v = Violations::new();
        v.check(req.start_time.is_some(), "start_time", "is required");
        v.check(req.end_time.is_some(), "end_time", "is required");
        v.finish()?;
        let start = from_millis(req.start_time.as_ref().map_or(0, millis));
        let end = from_millis(req.end_time.as_ref().map_or(0, millis));
        if end <= start {
            return Err(ServiceError::invalid_field(
                "end_time",
                "must be after start_time",
            ));
        }
        let mut jurisdiction =
            (!req.jurisdiction.is_empty()).then(|| req.jurisdiction.to_ascii_uppercase());
        if !p.has_role(Role::Admin) {
            let own = access::jurisdiction(p)?;
            if jurisdiction.as_ref().is_some_and(|j| *j != own) {
                return Err(ServiceError::permission_denied(format!(
                    "a regulator of {own} reads the figures of {own} only"
                )));
            }
            jurisdiction = Some(own);
        }
        let from = start.date_naive();
        let to = if end.time() == NaiveTime::MIN {
            end.date_naive()
        } else {
            end.date_naive() + Duration::days(1)
        };
        let counts = self
            .store
            .report_counts(from, to, jurisdiction.as_deref())
            .await?;
        let opened = counts.get(metric::CASES_OPENED);
        let automated_share = if opened > 0 {
            counts.get(metric::CASES_AUTOMATED) as f64 / opened as f64
        } else {
            0.0
        };
        let report = pb::TransparencyReport {
            start_time: req.start_time,
            end_time: req.end_time,
            jurisdiction: jurisdiction.unwrap_or_default(),
            notices_total: count(counts.get(metric::NOTICES)),
            notices_by_source: NoticeSource::ALL
                .iter()
                .map(|s| pb::SourceCount {
                    source: convert_source(*s),
                    count: count(counts.get(&format!("{}{s}", metric::BY_SOURCE))),
                })
                .filter(|c| c.count > 0)
                .collect(),
            notices_by_ground: NoticeGround::ALL
                .iter()
                .map(|g| pb::GroundCount {
                    ground: convert_ground(*g),
                    count: count(counts.get(&format!("{}{g}", metric::BY_GROUND))),
                })
                .filter(|c| c.count > 0)
                .collect(),
            cases_by_status: CaseStatus::ALL
                .iter()
                .map(|s| pb::StatusCount {
                    status: pb::CaseStatus::from_str_name(&format!("CASE_STATUS_{s}"))
                        .map_or(0, Into::into),
                    count: count(counts.get(&format!("{}{s}", metric::BY_STATUS))),
                })
                .filter(|c| c.count > 0)
                .collect(),
            cases_upheld: count(counts.get(metric::UPHELD)),
            cases_rejected: count(counts.get(metric::REJECTED)),
            automated_detection_share: automated_share,
            median_notice_to_action: counts.delay_quantile(0.5).map(duration),
            p90_notice_to_action: counts.delay_quantile(0.9).map(duration),
            counter_notices: count(counts.get(metric::COUNTER_NOTICES)),
            restorations_after_window: count(counts.get(metric::RESTORATIONS)),
            legal_actions_confirmed: count(counts.get(metric::LEGAL_ACTIONS)),
            appeals: count(counts.get(metric::APPEALS)),
            reversals: count(counts.get(metric::REVERSALS)),
            notifiers_suspended: count(counts.get(metric::NOTIFIERS_SUSPENDED)),
        };
        Ok(pb::GetTransparencyReportResponse {
            report: Some(report),
        })
    }
}

fn convert_source(s: NoticeSource) -> i32 {
    pb::NoticeSource::from_str_name(&format!("NOTICE_SOURCE_{s}")).map_or(0, Into::into)
}

fn convert_ground(g: NoticeGround) -> i32 {
    pb::NoticeGround::from_str_name(&format!("NOTICE_GROUND_{g}")).map_or(0, Into::into)
}
