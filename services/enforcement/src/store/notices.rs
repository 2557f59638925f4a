//! Receiving notices: idempotent on the submitter's request id; each listing's case is joined or
//! opened; measures on receipt where the law wants timeliness. One transaction.

use std::collections::HashMap;

use genuine_runtime::errors::{ErrorCode, ServiceError, ServiceResult};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
};

use super::entities::{case, case_notice, notice, notifier};
use super::page::{Page, PageRequest};
use super::report::{self, metric};
use super::transitions::{self, Step};
use super::write::begin_logged;
use super::{Actor, Store, audit, json_list, new_id};
use crate::domain::case_state::{CaseEvent, CaseStatus};
use crate::domain::notice::NoticeDraft;
use crate::domain::priority::Priority;
use crate::domain::vocabulary::{NoticeGround, NoticeSource};

/// A complete notice to store, with the seller of each listing already looked up.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub draft: NoticeDraft,
    pub brand_id: Option<String>,
    /// JSON of the automated-detection details, when that is the source.
    pub automated_detection: Option<String>,
    /// SHA-256 (hex) of the encoded request.
    pub request_digest: String,
    /// Seller of each listing named.
    pub sellers: HashMap<String, String>,
}

/// The stored notice and whether this call was a replay of an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub notice: notice::Model,
    pub replay: bool,
}

/// Which notices to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    pub source: Option<NoticeSource>,
    pub notifier_id: Option<String>,
    pub jurisdiction: Option<String>,
}

impl Store {
    /// An earlier notice of `subject` with `request_id`, if any.
    ///
    /// # Errors
    /// The database error.
    pub async fn notice_by_request(
        &self,
        subject: &str,
        request_id: &str,
    ) -> ServiceResult<Option<notice::Model>> {
        Ok(notice::Entity::find()
            .filter(notice::Column::SubmittedBySubject.eq(subject))
            .filter(notice::Column::RequestId.eq(request_id))
            .one(self.db())
            .await?)
    }

    /// When the notifier's notice processing is suspended until (DSA Art. 23(2)), if it is now.
    ///
    /// # Errors
    /// The database error.
    pub async fn notifier_suspended_until(&self, notifier_id: &str) -> ServiceResult<Option<i64>> {
        let now = self.now().timestamp_millis();
        let row = notifier::Entity::find_by_id(notifier_id)
            .one(self.db())
            .await?;
        Ok(row
            .and_then(|n| n.suspended_until)
            .filter(|until| *until > now))
    }

    /// Stores a complete notice: replays answer the first result; a request id reused with other
    /// content is `ALREADY_EXISTS`.
    ///
    /// # Errors
    /// `ALREADY_EXISTS`, `INVALID_ARGUMENT` (source or ground missing), the database error.
    pub async fn submit_notice(&self, actor: &Actor, new: NewNotice) -> ServiceResult<Submitted> {
        // Two concurrent submissions (a retry racing its original, or two notices opening the
        // first case of a listing) collide on a unique index; the loser runs again and then
        // sees the winner's rows: a replay, or a case to join.
        let mut attempt = 1;
        loop {
            match self.submit_notice_once(actor, &new).await {
                Err(e) if e.code() == ErrorCode::Aborted && attempt < 3 => attempt += 1,
                other => return other,
            }
        }
    }

    async fn submit_notice_once(&self, actor: &Actor, new: &NewNotice) -> ServiceResult<Submitted> {
        let draft = &new.draft;
        let (Some(source), Some(ground)) = (draft.source, draft.ground) else {
            return Err(ServiceError::invalid_field(
                "source",
                "source and ground are required",
            ));
        };
        let now = self.now();
        let now_ms = now.timestamp_millis();
        let txn = begin_logged(self.db()).await?;
        if let Some(existing) = notice::Entity::find()
            .filter(notice::Column::SubmittedBySubject.eq(&actor.subject))
            .filter(notice::Column::RequestId.eq(&draft.request_id))
            .one(&txn)
            .await?
        {
            return if existing.request_digest == new.request_digest {
                Ok(Submitted {
                    notice: existing,
                    replay: true,
                })
            } else {
                Err(ServiceError::already_exists(format!(
                    "request_id {:?} was used for a different notice",
                    draft.request_id
                )))
            };
        }
        let good_faith = source == NoticeSource::RightsHolder
            && self
                .track_record(&txn, &draft.notifier_id)
                .await?
                .is_good_faith(&self.rules().track_record);
        let priority = Priority::of_notice(source, good_faith);
        let take_down =
            self.rules().takedown_on_receipt && (source == NoticeSource::Regulator || good_faith);
        let notice_id = new_id();

        let mut case_ids = Vec::with_capacity(draft.listing_ids.len());
        for listing_id in &draft.listing_ids {
            let seller_id = new.sellers.get(listing_id).cloned().unwrap_or_default();
            let live = live_case(&txn, listing_id).await?;
            let detail = format!("notice {notice_id} from {source}");
            let mut row = match live {
                Some(row) => {
                    let step = Step {
                        actor,
                        now,
                        event: CaseEvent::JoinNotice,
                        detail,
                    };
                    transitions::apply(&txn, self, row, &step, |c| {
                        c.priority = std::cmp::min(c.priority, priority.rank())
                    })
                    .await?
                }
                None => {
                    let opened = open_case(
                        &txn,
                        listing_id,
                        &seller_id,
                        source,
                        ground,
                        &draft.jurisdiction,
                        priority,
                        now_ms,
                    )
                    .await?;
                    transitions::append_event(
                        &txn, &opened, "OPENED", actor, now_ms, &detail, None,
                    )
                    .await?;
                    audit::append(
                        &txn,
                        self.signer(),
                        actor,
                        now,
                        "case.opened",
                        &opened.case_id,
                        &opened,
                    )
                    .await?;
                    opened
                }
            };
            case_notice::ActiveModel {
                case_id: Set(row.case_id.clone()),
                notice_id: Set(notice_id.clone()),
                notifier_id: Set(draft.notifier_id.clone()),
                joined_at: Set(now_ms),
            }
            .insert(&txn)
            .await?;
            if take_down && row.status == CaseStatus::Open.as_str() {
                let step = Step {
                    actor,
                    now,
                    event: CaseEvent::TakeDownOnReceipt,
                    detail: format!("measures on receipt of notice {notice_id}"),
                };
                row = transitions::apply(&txn, self, row, &step, |_| {}).await?;
            }
            let body = format!(
                "A notice ({}) was filed against your listing {listing_id}: case {}. You may answer with a counter-notice once measures are taken.",
                ground, row.case_id
            );
            transitions::notify(
                &txn,
                &row.case_id,
                &row.seller_id,
                "notice_forwarded",
                &body,
                now_ms,
            )
            .await?;
            case_ids.push(row.case_id);
        }

        let stored = notice::ActiveModel {
            notice_id: Set(notice_id.clone()),
            request_id: Set(draft.request_id.clone()),
            submitted_by_subject: Set(actor.subject.clone()),
            submitted_by_role: Set(actor.role.clone()),
            request_digest: Set(new.request_digest.clone()),
            source: Set(source.as_str().to_owned()),
            ground: Set(ground.as_str().to_owned()),
            notifier_id: Set(draft.notifier_id.clone()),
            notifier_name: Set(draft.notifier_name.clone()),
            notifier_email: Set(draft.notifier_email.clone()),
            notifier_organization: Set(draft.notifier_organization.clone()),
            listing_ids: Set(json_list(&draft.listing_ids)),
            brand_id: Set(new.brand_id.clone()),
            explanation: Set(draft.explanation.clone()),
            evidence_urls: Set(json_list(&draft.evidence_urls)),
            good_faith_declaration: Set(draft.good_faith_declaration),
            jurisdiction: Set(draft.jurisdiction.clone()),
            automated_detection: Set(new.automated_detection.clone()),
            case_ids: Set(json_list(&case_ids)),
            status: Set("ACCEPTED".to_owned()),
            received_at: Set(now_ms),
        }
        .insert(&txn)
        .await
        .map_err(collision)?;
        audit::append(
            &txn,
            self.signer(),
            actor,
            now,
            "notice.submitted",
            &notice_id,
            &stored,
        )
        .await?;
        let day = report::day(now);
        let j = &draft.jurisdiction;
        report::bump(&txn, &day, j, metric::NOTICES, 1).await?;
        report::bump(&txn, &day, j, &format!("{}{source}", metric::BY_SOURCE), 1).await?;
        report::bump(&txn, &day, j, &format!("{}{ground}", metric::BY_GROUND), 1).await?;
        txn.commit().await?;
        Ok(Submitted {
            notice: stored,
            replay: false,
        })
    }

    /// One notice.
    ///
    /// # Errors
    /// `NOT_FOUND`; the database error.
    pub async fn notice(&self, notice_id: &str) -> ServiceResult<notice::Model> {
        notice::Entity::find_by_id(notice_id)
            .one(self.db())
            .await?
            .ok_or_else(|| ServiceError::not_found("notice", notice_id))
    }

    /// Notices, newest first.
    ///
    /// # Errors
    /// A bad page token; the database error.
    pub async fn notices(
        &self,
        filter: &NoticeFilter,
        page: &PageRequest,
    ) -> ServiceResult<Page<notice::Model>> {
        page.check()?;
        let mut query = notice::Entity::find();
        if let Some(source) = filter.source {
            query = query.filter(notice::Column::Source.eq(source.as_str()));
        }
        if let Some(id) = &filter.notifier_id {
            query = query.filter(notice::Column::NotifierId.eq(id));
        }
        if let Some(j) = &filter.jurisdiction {
            query = query.filter(notice::Column::Jurisdiction.eq(j));
        }
        if let Some(key) = page.key(2)? {
            let at: i64 = key[0]
                .parse()
                .map_err(|_| ServiceError::invalid_field("page_token", "is malformed"))?;
            query = query.filter(
                Condition::any().add(notice::Column::ReceivedAt.lt(at)).add(
                    notice::Column::ReceivedAt
                        .eq(at)
                        .and(notice::Column::NoticeId.lt(key[1].clone())),
                ),
            );
        }
        let rows = query
            .order_by_desc(notice::Column::ReceivedAt)
            .order_by_desc(notice::Column::NoticeId)
            .limit(page.limit() + 1)
            .all(self.db())
            .await?;
        Ok(Page::from_rows(rows, page.limit(), |n| {
            vec![n.received_at.to_string(), n.notice_id.clone()]
        }))
    }
}

/// A unique-index collision with a concurrent transaction becomes `ABORTED` (try again).
fn collision(error: DbErr) -> ServiceError {
    if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        ServiceError::new(ErrorCode::Aborted, "a concurrent submission won; try again")
    } else {
        ServiceError::from(error)
    }
}

/// The case on `listing_id` that a new notice joins: one still undecided or with measures in force.
async fn live_case<C: ConnectionTrait>(
    conn: &C,
    listing_id: &str,
) -> ServiceResult<Option<case::Model>> {
    let accepting: Vec<&str> = CaseStatus::ALL
        .iter()
        .filter(|s| s.accepts_notices())
        .map(|s| s.as_str())
        .collect();
    Ok(case::Entity::find()
        .filter(case::Column::ListingId.eq(listing_id))
        .filter(case::Column::Status.is_in(accepting))
        .order_by_desc(case::Column::CreatedAt)
        .lock_exclusive()
        .one(conn)
        .await?)
}

#[allow(clippy::too_many_arguments)]
async fn open_case<C: ConnectionTrait>(
    conn: &C,
    listing_id: &str,
    seller_id: &str,
    source: NoticeSource,
    ground: NoticeGround,
    jurisdiction: &str,
    priority: Priority,
    now_ms: i64,
) -> ServiceResult<case::Model> {
    let row = case::ActiveModel {
        case_id: Set(new_id()),
        listing_id: Set(listing_id.to_owned()),
        seller_id: Set(seller_id.to_owned()),
        status: Set(CaseStatus::Open.as_str().to_owned()),
        priority: Set(priority.rank()),
        ground: Set(ground.as_str().to_owned()),
        source: Set(source.as_str().to_owned()),
        jurisdiction: Set(jurisdiction.to_owned()),
        listing_down: Set(false),
        violation_recorded: Set(false),
        takedowns: Set(0),
        restores: Set(0),
        decision_outcome: Set(None),
        decision_explanation: Set(None),
        decision_severity: Set(None),
        decided_by_subject: Set(None),
        decided_by_role: Set(None),
        decision_automated: Set(false),
        decided_at: Set(None),
        counter_declaration: Set(None),
        counter_evidence_urls: Set(None),
        counter_by_subject: Set(None),
        counter_by_role: Set(None),
        counter_at: Set(None),
        counter_forwarded_at: Set(None),
        window_end_at: Set(None),
        legal_authority: Set(None),
        legal_reference: Set(None),
        legal_by_subject: Set(None),
        legal_by_role: Set(None),
        legal_at: Set(None),
        first_notice_at: Set(now_ms),
        first_action_at: Set(None),
        created_at: Set(now_ms),
        updated_at: Set(now_ms),
    }
    .insert(conn)
    .await
    .map_err(collision)?;
    let day = report::day(genuine_runtime::clock::from_millis(now_ms));
    report::bump(conn, &day, jurisdiction, metric::CASES_OPENED, 1).await?;
    report::bump(
        conn,
        &day,
        jurisdiction,
        &format!("{}{}", metric::BY_STATUS, CaseStatus::Open),
        1,
    )
    .await?;
    if source == NoticeSource::AutomatedDetection {
        report::bump(conn, &day, jurisdiction, metric::CASES_AUTOMATED, 1).await?;
    }
    Ok(row)
}
