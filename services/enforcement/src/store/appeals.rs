//! Appeals (DSA Art. 20): filed by the affected seller against an upheld decision or by a
//! notifier against a rejection, within the appeal window; decided by a person other than the
//! one who decided the case. A reversal undoes every effect through the state machine.

use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};

use super::cases::find_for_update;
use super::entities::appeal;
use super::transitions::{self, Step};
use super::views::{AppealView, CaseView};
use super::write::begin_logged;
use super::{Actor, Store, audit, new_id};
use crate::domain::case_state::{CaseEvent, CaseStatus};
use crate::domain::vocabulary::{AppealOutcome, CaseOutcome};

/// An appeal as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealFiling {
    pub request_id: String,
    pub case_id: String,
    pub grounds: String,
}

const PENDING: &str = "PENDING";
const DECIDED: &str = "DECIDED";

impl Store {
    /// Files an appeal; a retry with the same request id answers the first appeal.
    ///
    /// # Errors
    /// `NOT_FOUND`, `PERMISSION_DENIED` (neither the seller nor a notifier),
    /// `FAILED_PRECONDITION` (nothing to appeal, too late, one pending already),
    /// `ALREADY_EXISTS` (request id reused), the database error.
    pub async fn file_appeal(
        &self,
        actor: &Actor,
        filing: &AppealFiling,
    ) -> ServiceResult<AppealView> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        if let Some(existing) = appeal::Entity::find()
            .filter(appeal::Column::AppellantSubject.eq(&actor.subject))
            .filter(appeal::Column::RequestId.eq(&filing.request_id))
            .one(&txn)
            .await?
        {
            return if existing.case_id == filing.case_id {
                Ok(existing)
            } else {
                Err(ServiceError::already_exists(format!(
                    "request_id {:?} was used for another appeal",
                    filing.request_id
                )))
            };
        }
        let case = find_for_update(&txn, &filing.case_id).await?;
        let subject = format!("cases/{}", case.case_id);
        let precondition = |description: String| {
            ServiceError::failed_precondition("APPEAL", subject.clone(), description)
        };
        let party = if case.seller_id == actor.subject {
            "SELLER"
        } else if transitions::notifiers(&txn, &case.case_id)
            .await?
            .contains(&actor.subject)
        {
            "NOTIFIER"
        } else {
            return Err(ServiceError::permission_denied(
                "only the case's seller or its notifiers may appeal",
            ));
        };
        let outcome = case
            .decision_outcome
            .as_deref()
            .and_then(CaseOutcome::parse);
        let appealable = matches!(
            (party, outcome),
            ("SELLER", Some(CaseOutcome::Uphold)) | ("NOTIFIER", Some(CaseOutcome::Reject))
        );
        if !appealable {
            return Err(precondition(format!(
                "case {} is {}; a {} has no decision to appeal",
                case.case_id,
                case.status,
                party.to_lowercase()
            )));
        }
        let deadline = case.decided_at.unwrap_or(0) + self.rules().appeal_window.num_milliseconds();
        if now.timestamp_millis() > deadline {
            return Err(precondition(format!(
                "the appeal window of case {} has closed",
                case.case_id
            )));
        }
        let pending = appeal::Entity::find()
            .select_only()
            .column(appeal::Column::AppealId)
            .filter(appeal::Column::CaseId.eq(&case.case_id))
            .filter(appeal::Column::Status.eq(PENDING))
            .into_tuple::<String>()
            .one(&txn)
            .await?;
        if let Some(id) = pending {
            return Err(precondition(format!(
                "appeal {id} on case {} is still pending",
                case.case_id
            )));
        }
        let appeal_id = new_id();
        let step = Step {
            actor,
            now,
            event: CaseEvent::FileAppeal,
            detail: format!("appeal {appeal_id}"),
        };
        transitions::apply(&txn, self, case, &step, |_| {}).await?;
        let row = appeal::ActiveModel {
            appeal_id: Set(appeal_id.clone()),
            case_id: Set(filing.case_id.clone()),
            request_id: Set(filing.request_id.clone()),
            appellant_party: Set(party.to_owned()),
            appellant_subject: Set(actor.subject.clone()),
            appellant_role: Set(actor.role.clone()),
            grounds: Set(filing.grounds.clone()),
            status: Set(PENDING.to_owned()),
            outcome: Set(None),
            explanation: Set(None),
            decided_by_subject: Set(None),
            decided_by_role: Set(None),
            filed_at: Set(now.timestamp_millis()),
            decided_at: Set(None),
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            self.signer(),
            actor,
            now,
            "appeal.filed",
            &appeal_id,
            &row,
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// One appeal.
    ///
    /// # Errors
    /// `NOT_FOUND`; the database error.
    pub async fn appeal(&self, appeal_id: &str) -> ServiceResult<AppealView> {
        appeal::Entity::find_by_id(appeal_id)
            .one(self.db())
            .await?
            .ok_or_else(|| ServiceError::not_found("appeal", appeal_id))
    }

    /// Decides a pending appeal.
    ///
    /// # Errors
    /// `NOT_FOUND`, `PERMISSION_DENIED` (the reviewer decided the case), `FAILED_PRECONDITION`
    /// (already decided, or the case's status allows no such outcome), the database error.
    pub async fn decide_appeal(
        &self,
        actor: &Actor,
        appeal_id: &str,
        outcome: AppealOutcome,
        explanation: &str,
    ) -> ServiceResult<(AppealView, CaseView)> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let row = appeal::Entity::find_by_id(appeal_id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| ServiceError::not_found("appeal", appeal_id))?;
        if row.status != PENDING {
            return Err(ServiceError::failed_precondition(
                "APPEAL_STATUS",
                format!("appeals/{appeal_id}"),
                format!(
                    "appeal {appeal_id} is {}; it was decided already",
                    row.status
                ),
            ));
        }
        let case = find_for_update(&txn, &row.case_id).await?;
        if case.decided_by_subject.as_deref() == Some(actor.subject.as_str()) {
            return Err(ServiceError::permission_denied(
                "an appeal is decided by a reviewer other than the one who decided the case",
            ));
        }
        let was_rejected = case.status == CaseStatus::Rejected.as_str();
        let step = Step {
            actor,
            now,
            event: CaseEvent::DecideAppeal(outcome),
            detail: explanation.to_owned(),
        };
        let saved = transitions::apply(&txn, self, case, &step, |c| {
            if outcome == AppealOutcome::Reverse && was_rejected {
                // The rejection is replaced by an upholding decision, taken by this reviewer.
                c.decision_outcome = Some(CaseOutcome::Uphold.as_str().to_owned());
                c.decision_explanation = Some(explanation.to_owned());
                c.decided_by_subject = Some(actor.subject.clone());
                c.decided_by_role = Some(actor.role.clone());
                c.decided_at = Some(now.timestamp_millis());
            }
        })
        .await?;
        let mut decided = row.into_active_model();
        decided.status = Set(DECIDED.to_owned());
        decided.outcome = Set(Some(outcome.as_str().to_owned()));
        decided.explanation = Set(Some(explanation.to_owned()));
        decided.decided_by_subject = Set(Some(actor.subject.clone()));
        decided.decided_by_role = Set(Some(actor.role.clone()));
        decided.decided_at = Set(Some(now.timestamp_millis()));
        let decided = decided.update(&txn).await?;
        audit::append(
            &txn,
            self.signer(),
            actor,
            now,
            "appeal.decided",
            appeal_id,
            &decided,
        )
        .await?;
        let view = CaseView::load(&txn, saved).await?;
        txn.commit().await?;
        Ok((decided, view))
    }
}
