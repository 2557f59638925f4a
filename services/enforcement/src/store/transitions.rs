//! Applying a case event: the domain decides the next status and the effects; this carries them
//! out in the caller's transaction — case row, timeline, audit entry, report counters, outbox
//! messages, deadlines, statements of reasons and outbound notifications together.

use chrono::{DateTime, Utc};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set,
};

use super::entities::{case, case_event, case_notice, outbound_notification};
use super::report::{self, metric};
use super::{Actor, Store, audit, effects, new_id, statements};
use crate::domain::case_state::{self, CaseEvent, CaseStatus, Effect, Measures, StatementKind};
use crate::domain::vocabulary::{AppealOutcome, CaseOutcome, NoticeGround, NoticeSource};

/// One event to apply, with who did it and when.
#[derive(Debug, Clone)]
pub(crate) struct Step<'a> {
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    pub event: CaseEvent,
    pub detail: String,
}

/// The timeline kind of an event (the `CaseEventKind` value without its prefix).
pub(crate) const fn event_kind(event: CaseEvent) -> &'static str {
    match event {
        CaseEvent::JoinNotice => "NOTICE_JOINED",
        CaseEvent::TakeDownOnReceipt => "TAKEN_DOWN_ON_RECEIPT",
        CaseEvent::Decide(CaseOutcome::Uphold) => "UPHELD",
        CaseEvent::Decide(CaseOutcome::Reject) => "REJECTED",
        CaseEvent::FileCounterNotice => "COUNTER_NOTICE_FILED",
        CaseEvent::ConfirmLegalAction => "LEGAL_ACTION_CONFIRMED",
        CaseEvent::WindowExpired => "WINDOW_EXPIRED",
        CaseEvent::FileAppeal => "APPEAL_FILED",
        CaseEvent::DecideAppeal(AppealOutcome::Uphold) => "APPEAL_UPHELD",
        CaseEvent::DecideAppeal(AppealOutcome::Reverse) => "APPEAL_REVERSED",
    }
}

/// The counter an event adds to, if any.
const fn event_metric(event: CaseEvent) -> Option<&'static str> {
    match event {
        CaseEvent::Decide(CaseOutcome::Uphold) => Some(metric::UPHELD),
        CaseEvent::Decide(CaseOutcome::Reject) => Some(metric::REJECTED),
        CaseEvent::FileCounterNotice => Some(metric::COUNTER_NOTICES),
        CaseEvent::ConfirmLegalAction => Some(metric::LEGAL_ACTIONS),
        CaseEvent::WindowExpired => Some(metric::RESTORATIONS),
        CaseEvent::FileAppeal => Some(metric::APPEALS),
        CaseEvent::DecideAppeal(AppealOutcome::Reverse) => Some(metric::REVERSALS),
        _ => None,
    }
}

/// Applies `step` to `case` after `edit` recorded the event's own fields (decision, counter-notice,
/// legal action). Answers the updated case.
///
/// # Errors
/// `FAILED_PRECONDITION` naming the current status when the state machine refuses; the database
/// error.
pub(crate) async fn apply<C: ConnectionTrait>(
    conn: &C,
    store: &Store,
    mut case: case::Model,
    step: &Step<'_>,
    edit: impl FnOnce(&mut case::Model),
) -> ServiceResult<case::Model> {
    let from = CaseStatus::parse(&case.status)
        .ok_or_else(|| ServiceError::internal("unknown stored case status"))?;
    let ground = NoticeGround::parse(&case.ground)
        .ok_or_else(|| ServiceError::internal("unknown stored ground"))?;
    let measures = Measures {
        listing_down: case.listing_down,
        violation_recorded: case.violation_recorded,
        // The hold an automated-detection case was opened for lasts until its first restoration.
        screening_hold: case.source == NoticeSource::AutomatedDetection.as_str()
            && case.restores == 0,
    };
    let transition = case_state::apply(from, step.event, measures, ground)
        .map_err(|r| r.into_error(&case.case_id))?;
    let now = step.now;
    let now_ms = now.timestamp_millis();
    edit(&mut case);
    case.status = transition.to.as_str().to_owned();
    case.listing_down = transition.measures.listing_down;
    case.violation_recorded = transition.measures.violation_recorded;
    case.updated_at = now_ms;

    for effect in &transition.effects {
        match effect {
            Effect::TakeDown => {
                case.takedowns += 1;
                effects::take_down(conn, &case, case.takedowns + case.restores, now).await?;
                if case.first_action_at.is_none() {
                    case.first_action_at = Some(now_ms);
                    let bucket = report::delay_bucket(now_ms - case.first_notice_at);
                    let name = format!("{}{bucket}", metric::DELAY);
                    report::bump(conn, &report::day(now), &case.jurisdiction, &name, 1).await?;
                }
                let body = format!(
                    "Your listing {} was taken down: case {}, ground {}.",
                    case.listing_id, case.case_id, case.ground
                );
                notify(
                    conn,
                    &case.case_id,
                    &case.seller_id,
                    "listing_taken_down",
                    &body,
                    now_ms,
                )
                .await?;
            }
            Effect::Restore => {
                case.restores += 1;
                effects::restore(conn, &case, case.takedowns + case.restores, now).await?;
                let body = format!(
                    "Your listing {} is restored: case {}.",
                    case.listing_id, case.case_id
                );
                notify(
                    conn,
                    &case.case_id,
                    &case.seller_id,
                    "listing_restored",
                    &body,
                    now_ms,
                )
                .await?;
            }
            Effect::RecordViolation => effects::record_violation(conn, &case, now).await?,
            Effect::RetractViolation => {
                effects::retract_violation(conn, &case, &step.detail, now).await?
            }
            Effect::ForwardCounterNotice => {
                case.counter_forwarded_at = Some(now_ms);
                let body = format!(
                    "The seller filed a counter-notice on case {}. You may complain to the competent authority or sue; \
                     without proof of either the measures end at the window's close.",
                    case.case_id
                );
                for notifier in notifiers(conn, &case.case_id).await? {
                    notify(
                        conn,
                        &case.case_id,
                        &notifier,
                        "counter_notice_forwarded",
                        &body,
                        now_ms,
                    )
                    .await?;
                }
            }
            Effect::StartWindow => {
                let rules = store.rules();
                let due = crate::domain::window::window_end(
                    now,
                    rules.counter_notice_window,
                    rules.counter_notice_calendar,
                );
                case.window_end_at = Some(due.timestamp_millis());
                effects::start_window(conn, &case.case_id, due).await?;
            }
            Effect::CancelWindow => {
                case.window_end_at = None;
                effects::cancel_window(conn, &case.case_id).await?;
            }
            Effect::IssueStatement(kind) => {
                let provisional = step.event == CaseEvent::TakeDownOnReceipt;
                let explanation = match kind {
                    StatementKind::Reversal => step.detail.clone(),
                    StatementKind::Restriction => case
                        .decision_explanation
                        .clone()
                        .unwrap_or_else(|| step.detail.clone()),
                };
                let issue = statements::Issue {
                    kind: *kind,
                    provisional,
                    explanation: &explanation,
                };
                statements::issue(conn, store, &case, issue, step.actor, now).await?;
            }
            Effect::InformBuyers => effects::inform_buyers(conn, &case.case_id, now).await?,
        }
    }

    let saved = case
        .clone()
        .into_active_model()
        .reset_all()
        .update(conn)
        .await?;
    append_event(
        conn,
        &saved,
        event_kind(step.event),
        step.actor,
        now_ms,
        &step.detail,
        Some(from),
    )
    .await?;
    let audit_kind = format!("case.{}", event_kind(step.event).to_ascii_lowercase());
    audit::append(
        conn,
        store.signer(),
        step.actor,
        now,
        &audit_kind,
        &saved.case_id,
        &saved,
    )
    .await?;

    if from != transition.to {
        let created = report::day(genuine_runtime::clock::from_millis(saved.created_at));
        let j = &saved.jurisdiction;
        report::bump(
            conn,
            &created,
            j,
            &format!("{}{from}", metric::BY_STATUS),
            -1,
        )
        .await?;
        report::bump(
            conn,
            &created,
            j,
            &format!("{}{}", metric::BY_STATUS, transition.to),
            1,
        )
        .await?;
    }
    if let Some(name) = event_metric(step.event) {
        report::bump(conn, &report::day(now), &saved.jurisdiction, name, 1).await?;
    }
    Ok(saved)
}

/// Adds a timeline entry with the next sequence number of the case.
pub(crate) async fn append_event<C: ConnectionTrait>(
    conn: &C,
    case: &case::Model,
    kind: &str,
    actor: &Actor,
    at: i64,
    detail: &str,
    from: Option<CaseStatus>,
) -> Result<(), DbErr> {
    let last: Option<Option<i32>> = case_event::Entity::find()
        .select_only()
        .column_as(case_event::Column::Seq.max(), "last")
        .filter(case_event::Column::CaseId.eq(&case.case_id))
        .into_tuple()
        .one(conn)
        .await?;
    let seq = last.flatten().unwrap_or(0) + 1;
    case_event::ActiveModel {
        case_id: Set(case.case_id.clone()),
        seq: Set(seq),
        kind: Set(kind.to_owned()),
        actor_subject: Set(actor.subject.clone()),
        actor_role: Set(actor.role.clone()),
        at: Set(at),
        detail: Set(detail.to_owned()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(case.status.clone()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The notifier ids of a case's notices.
pub(crate) async fn notifiers<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
) -> Result<Vec<String>, DbErr> {
    let mut ids: Vec<String> = case_notice::Entity::find()
        .select_only()
        .column(case_notice::Column::NotifierId)
        .filter(case_notice::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(conn)
        .await?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Records a message to a party (the delivery channel is outside this service).
pub(crate) async fn notify<C: ConnectionTrait>(
    conn: &C,
    case_id: &str,
    recipient: &str,
    kind: &str,
    body: &str,
    at: i64,
) -> Result<(), DbErr> {
    outbound_notification::ActiveModel {
        notification_id: Set(new_id()),
        case_id: Set(case_id.to_owned()),
        recipient: Set(recipient.to_owned()),
        kind: Set(kind.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}
