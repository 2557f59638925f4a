//! Cases: reading and listing, and the decisions on them — DecideCase, counter-notices, legal
//! action and the window's expiry — each one transaction.

use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::sea_query::{ExprTrait as _, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::{case, case_notice, notifier};
use super::page::{Page, PageRequest};
use super::report::{self, metric};
use super::transitions::{self, Step};
use super::views::CaseView;
use super::write::begin_logged;
use super::{Actor, Store, audit, json_list};
use crate::domain::case_state::{CaseEvent, CaseStatus};
use crate::domain::priority::{MisuseAction, TrackRecord};
use crate::domain::vocabulary::{CaseOutcome, NoticeSource, Severity};

/// Which cases to list; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub source: Option<NoticeSource>,
    pub jurisdiction: Option<String>,
    pub seller_id: Option<String>,
    /// Only cases this notifier's notices are part of.
    pub notifier_id: Option<String>,
}

impl Store {
    /// One case with its timeline.
    ///
    /// # Errors
    /// `NOT_FOUND`; the database error.
    pub async fn case(&self, case_id: &str) -> ServiceResult<CaseView> {
        let row = find(self.db(), case_id).await?;
        Ok(CaseView::load(self.db(), row).await?)
    }

    /// Cases ordered by priority, then age (oldest first).
    ///
    /// # Errors
    /// A bad page token; the database error.
    pub async fn cases(
        &self,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> ServiceResult<Page<CaseView>> {
        page.check()?;
        let mut query = case::Entity::find();
        if let Some(status) = filter.status {
            query = query.filter(case::Column::Status.eq(status.as_str()));
        }
        if let Some(source) = filter.source {
            query = query.filter(case::Column::Source.eq(source.as_str()));
        }
        if let Some(j) = &filter.jurisdiction {
            query = query.filter(case::Column::Jurisdiction.eq(j));
        }
        if let Some(seller) = &filter.seller_id {
            query = query.filter(case::Column::SellerId.eq(seller));
        }
        if let Some(notifier) = &filter.notifier_id {
            let theirs = Query::select()
                .column(case_notice::Column::CaseId)
                .from(case_notice::Entity)
                .and_where(case_notice::Column::NotifierId.eq(notifier))
                .to_owned();
            query = query.filter(case::Column::CaseId.in_subquery(theirs));
        }
        if let Some(key) = page.key(3)? {
            let bad = || ServiceError::invalid_field("page_token", "is malformed");
            let priority: i32 = key[0].parse().map_err(|_| bad())?;
            let created: i64 = key[1].parse().map_err(|_| bad())?;
            query = query.filter(
                Condition::any()
                    .add(case::Column::Priority.gt(priority))
                    .add(
                        case::Column::Priority
                            .eq(priority)
                            .and(case::Column::CreatedAt.gt(created)),
                    )
                    .add(
                        case::Column::Priority
                            .eq(priority)
                            .and(case::Column::CreatedAt.eq(created))
                            .and(case::Column::CaseId.gt(key[2].clone())),
                    ),
            );
        }
        let rows = query
            .order_by_asc(case::Column::Priority)
            .order_by_asc(case::Column::CreatedAt)
            .order_by_asc(case::Column::CaseId)
            .limit(page.limit() + 1)
            .all(self.db())
            .await?;
        let page = Page::from_rows(rows, page.limit(), |c| {
            vec![
                c.priority.to_string(),
                c.created_at.to_string(),
                c.case_id.clone(),
            ]
        });
        let mut items = Vec::with_capacity(page.items.len());
        for row in page.items {
            items.push(CaseView::load(self.db(), row).await?);
        }
        Ok(Page {
            items,
            next_token: page.next_token,
        })
    }

    /// A reviewer upholds or rejects an open case. A rejection counts against the notifiers'
    /// track record and may warn or suspend them (DSA Art. 23(2)).
    ///
    /// # Errors
    /// `NOT_FOUND`, `FAILED_PRECONDITION` (not open), the database error.
    pub async fn decide_case(
        &self,
        actor: &Actor,
        case_id: &str,
        outcome: CaseOutcome,
        explanation: &str,
        severity: Option<Severity>,
    ) -> ServiceResult<CaseView> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let row = find_for_update(&txn, case_id).await?;
        let step = Step {
            actor,
            now,
            event: CaseEvent::Decide(outcome),
            detail: explanation.to_owned(),
        };
        let saved = transitions::apply(&txn, self, row, &step, |c| {
            c.decision_outcome = Some(outcome.as_str().to_owned());
            c.decision_explanation = Some(explanation.to_owned());
            c.decision_severity = severity.map(|s| s.as_str().to_owned());
            c.decided_by_subject = Some(actor.subject.clone());
            c.decided_by_role = Some(actor.role.clone());
            c.decision_automated = false;
            c.decided_at = Some(now.timestamp_millis());
        })
        .await?;
        if outcome == CaseOutcome::Reject {
            // Automated detection has no notifier id: the platform's own screening is not a
            // notifier whose misuse Art. 23(2) is about.
            for notifier_id in transitions::notifiers(&txn, case_id).await? {
                if !notifier_id.is_empty() {
                    self.check_misuse(&txn, &notifier_id, actor).await?;
                }
            }
        }
        let view = CaseView::load(&txn, saved).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// The seller declares non-infringement: forwarded to the notifiers; the window starts.
    ///
    /// # Errors
    /// `NOT_FOUND`, `PERMISSION_DENIED` (not the case's seller), `FAILED_PRECONDITION`, the
    /// database error.
    pub async fn submit_counter_notice(
        &self,
        actor: &Actor,
        case_id: &str,
        declaration: &str,
        evidence_urls: &[String],
    ) -> ServiceResult<CaseView> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let row = find_for_update(&txn, case_id).await?;
        if row.seller_id != actor.subject {
            return Err(ServiceError::permission_denied(
                "only the case's seller may file a counter-notice",
            ));
        }
        let step = Step {
            actor,
            now,
            event: CaseEvent::FileCounterNotice,
            detail: declaration.to_owned(),
        };
        let saved = transitions::apply(&txn, self, row, &step, |c| {
            c.counter_declaration = Some(declaration.to_owned());
            c.counter_evidence_urls = Some(json_list(evidence_urls));
            c.counter_by_subject = Some(actor.subject.clone());
            c.counter_by_role = Some(actor.role.clone());
            c.counter_at = Some(now.timestamp_millis());
        })
        .await?;
        let view = CaseView::load(&txn, saved).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// The rights holder proves a complaint or lawsuit within the window.
    ///
    /// # Errors
    /// `NOT_FOUND`, `PERMISSION_DENIED` (not a notifier of the case, unless `is_admin`),
    /// `FAILED_PRECONDITION` (no window running), the database error.
    pub async fn confirm_legal_action(
        &self,
        actor: &Actor,
        is_admin: bool,
        case_id: &str,
        authority_or_court: &str,
        reference: &str,
    ) -> ServiceResult<CaseView> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let row = find_for_update(&txn, case_id).await?;
        if !is_admin
            && !transitions::notifiers(&txn, case_id)
                .await?
                .contains(&actor.subject)
        {
            return Err(ServiceError::permission_denied(
                "only the case's rights holder may confirm legal action",
            ));
        }
        if row
            .window_end_at
            .is_some_and(|end| now.timestamp_millis() >= end)
        {
            return Err(ServiceError::failed_precondition(
                "COUNTER_NOTICE_WINDOW",
                format!("cases/{case_id}"),
                format!("the counter-notice window of case {case_id} has closed"),
            ));
        }
        let step = Step {
            actor,
            now,
            event: CaseEvent::ConfirmLegalAction,
            detail: format!("{authority_or_court}: {reference}"),
        };
        let saved = transitions::apply(&txn, self, row, &step, |c| {
            c.legal_authority = Some(authority_or_court.to_owned());
            c.legal_reference = Some(reference.to_owned());
            c.legal_by_subject = Some(actor.subject.clone());
            c.legal_by_role = Some(actor.role.clone());
            c.legal_at = Some(now.timestamp_millis());
        })
        .await?;
        let view = CaseView::load(&txn, saved).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// The window's deadline fired: without legal action the measures end. A case no longer
    /// waiting (legal action confirmed, reversed) is left alone, so a late or repeated firing
    /// is harmless.
    ///
    /// # Errors
    /// The database error.
    pub async fn expire_window(&self, case_id: &str) -> ServiceResult<Option<CaseView>> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let Some(row) = case::Entity::find_by_id(case_id)
            .lock_exclusive()
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        if row.status != CaseStatus::CounterNoticePending.as_str() {
            return Ok(None);
        }
        let actor = Actor::service(genuine_runtime::auth::ServiceName::Enforcement);
        let step = Step {
            actor: &actor,
            now,
            event: CaseEvent::WindowExpired,
            detail: "counter-notice window ended without proof of legal action".to_owned(),
        };
        let saved = transitions::apply(&txn, self, row, &step, |_| {}).await?;
        let view = CaseView::load(&txn, saved).await?;
        txn.commit().await?;
        Ok(Some(view))
    }

    /// A notifier's decided cases over the look-back period.
    ///
    /// # Errors
    /// The database error.
    pub async fn track_record<C: ConnectionTrait>(
        &self,
        conn: &C,
        notifier_id: &str,
    ) -> ServiceResult<TrackRecord> {
        let since = (self.now() - self.rules().track_record_period).timestamp_millis();
        let case_ids: Vec<String> = case_notice::Entity::find()
            .select_only()
            .column(case_notice::Column::CaseId)
            .filter(case_notice::Column::NotifierId.eq(notifier_id))
            .filter(case_notice::Column::JoinedAt.gte(since))
            .into_tuple()
            .all(conn)
            .await?;
        let mut record = TrackRecord::default();
        for chunk in case_ids.chunks(500) {
            let rows: Vec<(Option<String>, String)> = case::Entity::find()
                .select_only()
                .column(case::Column::DecisionOutcome)
                .column(case::Column::Status)
                .filter(case::Column::CaseId.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(conn)
                .await?;
            for (outcome, status) in rows {
                let Some(outcome) = outcome.as_deref().and_then(CaseOutcome::parse) else {
                    continue;
                };
                record.decided += 1;
                match outcome {
                    CaseOutcome::Uphold => record.upheld += 1,
                    CaseOutcome::Reject => record.rejected += 1,
                }
                if status == CaseStatus::MeasuresLifted.as_str() {
                    record.successful_counter_notices += 1;
                }
            }
        }
        Ok(record)
    }

    /// Warns, then suspends, a notifier who files manifestly unfounded notices frequently.
    async fn check_misuse<C: ConnectionTrait>(
        &self,
        conn: &C,
        notifier_id: &str,
        actor: &Actor,
    ) -> ServiceResult<()> {
        let now = self.now();
        let record = self.track_record(conn, notifier_id).await?;
        let existing = notifier::Entity::find_by_id(notifier_id).one(conn).await?;
        let warned = existing.as_ref().is_some_and(|n| n.warned_at.is_some());
        let action = record.misuse_action(warned, &self.rules().track_record);
        let suspended_now = existing
            .as_ref()
            .and_then(|n| n.suspended_until)
            .is_some_and(|until| until > now.timestamp_millis());
        if action == MisuseAction::None || suspended_now {
            return Ok(());
        }
        let is_new = existing.is_none();
        let mut row = existing.map_or_else(
            || notifier::ActiveModel {
                notifier_id: Set(notifier_id.to_owned()),
                warned_at: Set(None),
                suspended_until: Set(None),
            },
            IntoActiveModel::into_active_model,
        );
        let kind = action;
        let audit_kind = match kind {
            MisuseAction::Warn => {
                row.warned_at = Set(Some(now.timestamp_millis()));
                "notifier.warned"
            }
            _ => {
                row.suspended_until = Set(Some(
                    (now + self.rules().notifier_suspension).timestamp_millis(),
                ));
                report::bump(conn, &report::day(now), "", metric::NOTIFIERS_SUSPENDED, 1).await?;
                "notifier.suspended"
            }
        };
        let saved = if is_new {
            row.insert(conn).await?
        } else {
            row.update(conn).await?
        };
        let payload = format!("{saved:?}");
        audit::append(
            conn,
            self.signer(),
            actor,
            now,
            audit_kind,
            notifier_id,
            &payload,
        )
        .await?;
        Ok(())
    }
}

/// A case by id.
pub(crate) async fn find<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
) -> ServiceResult<case::Model> {
    case::Entity::find_by_id(case_id)
        .one(conn)
        .await?
        .ok_or_else(|| ServiceError::not_found("case", case_id))
}

/// A case by id, locked for the transaction on PostgreSQL.
pub(crate) async fn find_for_update<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
) -> ServiceResult<case::Model> {
    case::Entity::find_by_id(case_id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| ServiceError::not_found("case", case_id))
}
