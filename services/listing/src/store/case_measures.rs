//! A case's take-down of a listing and its restoration, from enforcement (or an admin).
//!
//! Without an action id the (listing, case) key is the idempotency key, and a key once lifted
//! stays lifted: a late duplicate of the take-down does not re-impose it. With an action id
//! (enforcement sends its outbox key, `<case>/take_down/<n>`) the measure remembers the last
//! action applied: the same id is a repeat, a newer one applies — so a takedown after a
//! reversed rejection takes the listing down again — and an older one changes nothing (see
//! [`crate::domain::actions`]).

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};

use super::Actor;
use super::entities::listing_measure;
use super::listings::{get_listing, lock_listing};
use super::measures::{measure, refresh_status};
use super::views::ListingView;
use crate::domain::actions::{Action, Verdict, verdict};
use crate::domain::measures::{ListingStatus, MeasureKind};

/// A withdrawn listing is final: no case measure starts or ends on it.
fn withdrawn(listing_id: &str, verb: &str) -> ServiceError {
    ServiceError::failed_precondition(
        "LISTING_STATUS",
        listing_id,
        format!(
            "listing {listing_id} is {}: its seller withdrew it, so it cannot be {verb}",
            ListingStatus::Withdrawn.as_str().to_uppercase()
        ),
    )
}

/// Whether `action` applies to the measure `row` (absent: never acted on).
fn applies(row: Option<&listing_measure::Model>, action: Option<&Action<'_>>) -> bool {
    match (row, action) {
        (None, _) => true,
        // No generation: the key alone decides, and it was seen.
        (Some(_), None) => false,
        (Some(row), Some(action)) => {
            verdict(row.action_id.as_deref(), row.action_generation, action) == Verdict::Apply
        }
    }
}

/// Updates the case's take-down row of `listing_id` with `columns`.
async fn update_case_row(
    txn: &DatabaseTransaction,
    listing_id: &str,
    case_id: &str,
    columns: Vec<(listing_measure::Column, SimpleExpr)>,
) -> ServiceResult<()> {
    let mut update = listing_measure::Entity::update_many();
    for (column, value) in columns {
        update = update.col_expr(column, value);
    }
    update
        .filter(listing_measure::Column::ListingId.eq(listing_id))
        .filter(listing_measure::Column::Kind.eq(MeasureKind::CaseTakedown.as_str()))
        .filter(listing_measure::Column::MeasureKey.eq(case_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The columns recording `action` as the last one applied.
fn action_columns(action: Option<&Action<'_>>) -> Vec<(listing_measure::Column, SimpleExpr)> {
    action.map_or_else(Vec::new, |a| {
        vec![
            (listing_measure::Column::ActionId, Expr::value(a.id)),
            (
                listing_measure::Column::ActionGeneration,
                Expr::value(a.generation),
            ),
        ]
    })
}

/// A new take-down or restore row for the case.
fn new_row(
    listing_id: &str,
    case_id: &str,
    reason: &str,
    lifted: bool,
    action: Option<&Action<'_>>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> listing_measure::ActiveModel {
    listing_measure::ActiveModel {
        listing_id: Set(listing_id.to_owned()),
        kind: Set(MeasureKind::CaseTakedown.as_str().to_owned()),
        measure_key: Set(case_id.to_owned()),
        reason: Set(reason.to_owned()),
        imposed_at: Set(to_millis(now)),
        lifted_at: Set(lifted.then(|| to_millis(now))),
        imposed_by_subject: Set(actor.subject.clone()),
        action_id: Set(action.map(|a| a.id.to_owned())),
        action_generation: Set(action.and_then(|a| a.generation)),
    }
}

/// Takes the listing down for `case_id` as action `action_id` (empty: none).
///
/// # Errors
/// `NOT_FOUND`; `FAILED_PRECONDITION` for a withdrawn listing; database errors.
pub async fn take_down_listing(
    db: &DatabaseConnection,
    listing_id: &str,
    case_id: &str,
    action_id: &str,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<ListingView> {
    let action = Action::parse(action_id);
    let txn = begin_write(db).await?;
    let current = lock_listing(&txn, listing_id).await?;
    if current.status == ListingStatus::Withdrawn {
        txn.rollback().await?;
        return Err(withdrawn(listing_id, "taken down"));
    }
    let row = measure(&txn, listing_id, MeasureKind::CaseTakedown, case_id).await?;
    if !applies(row.as_ref(), action.as_ref()) {
        // Already taken down (or restored) by this or a later action: nothing changes.
        txn.rollback().await?;
        return Ok(current);
    }
    match row {
        None => {
            listing_measure::Entity::insert(new_row(
                listing_id,
                case_id,
                reason,
                false,
                action.as_ref(),
                actor,
                now,
            ))
            .exec_without_returning(&txn)
            .await?;
        }
        Some(row) => {
            let mut columns = action_columns(action.as_ref());
            if row.lifted_at.is_some() {
                columns.extend([
                    (
                        listing_measure::Column::LiftedAt,
                        Expr::value(Option::<i64>::None),
                    ),
                    (
                        listing_measure::Column::ImposedAt,
                        Expr::value(to_millis(now)),
                    ),
                    (listing_measure::Column::Reason, Expr::value(reason)),
                    (
                        listing_measure::Column::ImposedBySubject,
                        Expr::value(actor.subject.as_str()),
                    ),
                ]);
            }
            update_case_row(&txn, listing_id, case_id, columns).await?;
        }
    }
    refresh_status(&txn, listing_id, now).await?;
    let view = get_listing(&txn, listing_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Ends the case's measures as action `action_id` (empty: none): its take-down and the
/// screening hold or block the case reviewed. The listing is ACTIVE again only if no other
/// measure remains.
///
/// # Errors
/// `NOT_FOUND`; `FAILED_PRECONDITION` for a withdrawn listing; database errors.
pub async fn restore_listing(
    db: &DatabaseConnection,
    listing_id: &str,
    case_id: &str,
    action_id: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<ListingView> {
    let action = Action::parse(action_id);
    let txn = begin_write(db).await?;
    let current = lock_listing(&txn, listing_id).await?;
    if current.status == ListingStatus::Withdrawn {
        txn.rollback().await?;
        return Err(withdrawn(listing_id, "restored"));
    }
    let row = measure(&txn, listing_id, MeasureKind::CaseTakedown, case_id).await?;
    let lifted = row.as_ref().is_some_and(|r| r.lifted_at.is_some());
    let repeat = match (&row, &action) {
        (Some(_), None) => lifted,
        _ => !applies(row.as_ref(), action.as_ref()),
    };
    if repeat {
        txn.rollback().await?;
        return Ok(current);
    }
    match row {
        Some(_) => {
            let mut columns = action_columns(action.as_ref());
            if !lifted {
                columns.push((
                    listing_measure::Column::LiftedAt,
                    Expr::value(to_millis(now)),
                ));
            }
            update_case_row(&txn, listing_id, case_id, columns).await?;
        }
        None => {
            // A case that never took the listing down (one opened for a screening hold):
            // remember the restore so that a repeat, or a late take-down, changes nothing.
            listing_measure::Entity::insert(new_row(
                listing_id,
                case_id,
                "restored without a take-down",
                true,
                action.as_ref(),
                actor,
                now,
            ))
            .exec_without_returning(&txn)
            .await?;
        }
    }
    // A person reviewed the listing: the automated hold or block it was opened for ends too.
    listing_measure::Entity::update_many()
        .col_expr(
            listing_measure::Column::LiftedAt,
            Expr::value(to_millis(now)),
        )
        .filter(listing_measure::Column::ListingId.eq(listing_id))
        .filter(listing_measure::Column::Kind.is_in([
            MeasureKind::ScreeningHold.as_str(),
            MeasureKind::ScreeningBlock.as_str(),
        ]))
        .filter(listing_measure::Column::LiftedAt.is_null())
        .exec(&txn)
        .await?;
    refresh_status(&txn, listing_id, now).await?;
    let view = get_listing(&txn, listing_id).await?;
    txn.commit().await?;
    Ok(view)
}
