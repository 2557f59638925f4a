//! Recording and retracting violations; a new strike may suspend the seller, a retraction may
//! lift a suspension that strikes started. The effects commit with the change.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::{from_millis, to_millis};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::conflict::{TxError, once_more_on_conflict};
use super::entities::violation;
use super::page::{Page, PageRequest, encode};
use super::records::{RETRACTED, UPHELD, record};
use super::sellers::find;
use super::{Actor, Store};
use crate::domain::standing::{retraction_lifts, violation_suspends};
use crate::domain::{Code, Ground, Severity, Standing, SuspensionOrigin, standing};

/// A RecordViolation request, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewViolation {
    pub violation_key: String,
    pub seller_id: String,
    pub case_id: String,
    pub listing_id: String,
    pub ground: Ground,
    pub severity: Severity,
    pub decided_at: DateTime<Utc>,
}

/// The fields that differ between a stored violation and a replayed request, if any.
fn differences(row: &violation::Model, new: &NewViolation) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let pairs = [
        ("seller_id", row.seller_id == new.seller_id),
        ("case_id", row.case_id == new.case_id),
        ("listing_id", row.listing_id == new.listing_id),
        ("ground", row.ground == new.ground.code()),
        ("severity", row.severity == new.severity.code()),
        ("decided_time", row.decided_at == to_millis(new.decided_at)),
    ];
    for (field, same) in pairs {
        if !same {
            fields.push(field);
        }
    }
    fields
}

impl Store {
    /// Records an upheld violation (idempotent on its key) and applies its effect on standing:
    /// at the suspension threshold after a warning, the seller is suspended.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; FAILED_PRECONDITION when the key was recorded with other
    /// content.
    pub async fn record_violation(
        &self,
        new: NewViolation,
        actor: &Actor,
    ) -> ServiceResult<(violation::Model, Standing)> {
        once_more_on_conflict(|| self.try_record_violation(&new, actor)).await
    }

    async fn try_record_violation(
        &self,
        new: &NewViolation,
        actor: &Actor,
    ) -> Result<(violation::Model, Standing), TxError> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let seller = find(&txn, &new.seller_id, true).await?;
        if let Some(row) = violation::Entity::find_by_id(new.violation_key.as_str())
            .one(&txn)
            .await?
        {
            let differ = differences(&row, new);
            if !differ.is_empty() {
                return Err(ServiceError::failed_precondition(
                    "VIOLATION_KEY_REUSED",
                    new.violation_key.clone(),
                    format!(
                        "violation_key {:?} was recorded with a different {}; a key names one violation",
                        new.violation_key,
                        differ.join(", ")
                    ),
                )
                .into());
            }
            let standing = standing(&record(&txn, &seller, now).await?, &self.rules, now);
            txn.commit().await?;
            return Ok((row, standing));
        }
        let before = standing(&record(&txn, &seller, now).await?, &self.rules, now);
        let row = violation::ActiveModel {
            violation_key: Set(new.violation_key.clone()),
            seller_id: Set(new.seller_id.clone()),
            case_id: Set(new.case_id.clone()),
            listing_id: Set(new.listing_id.clone()),
            ground: Set(new.ground.code().to_owned()),
            severity: Set(new.severity.code().to_owned()),
            state: Set(UPHELD.to_owned()),
            decided_at: Set(to_millis(new.decided_at)),
            recorded_at: Set(to_millis(now)),
            retracted_at: Set(None),
            retract_reason: Set(String::new()),
            recorded_by_subject: Set(actor.subject.clone()),
            recorded_by_role: Set(actor.role.clone()),
        }
        .insert(&txn)
        .await?;
        let mut after = standing(&record(&txn, &seller, now).await?, &self.rules, now);
        let mut enqueued = false;
        if violation_suspends(&before, &after, &self.rules) {
            let reason = format!(
                "{} strikes within {} days after a prior warning (DSA Art. 23(1))",
                after.active_strikes,
                self.rules.strike_window.num_days()
            );
            let ends_at = now + self.rules.suspension_period;
            self.insert_suspension(
                &txn,
                &new.seller_id,
                SuspensionOrigin::Strikes,
                &reason,
                ends_at,
                actor,
                now,
            )
            .await?;
            after = standing(&record(&txn, &seller, now).await?, &self.rules, now);
            enqueued = true;
        }
        txn.commit().await?;
        if enqueued {
            self.wake.wake();
        }
        Ok((row, after))
    }

    /// Retracts a violation (idempotent); a suspension that strikes started ends when the
    /// strikes fall below the threshold.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown key.
    pub async fn retract_violation(
        &self,
        violation_key: &str,
        reason: &str,
    ) -> ServiceResult<(violation::Model, Standing)> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let row = violation::Entity::find_by_id(violation_key)
            .one(&txn)
            .await?
            .ok_or_else(|| ServiceError::not_found("violation", violation_key))?;
        let seller = find(&txn, &row.seller_id, true).await?;
        if row.state == RETRACTED {
            let standing = standing(&record(&txn, &seller, now).await?, &self.rules, now);
            txn.commit().await?;
            return Ok((row, standing));
        }
        let mut active = row.into_active_model();
        active.state = Set(RETRACTED.to_owned());
        active.retracted_at = Set(Some(to_millis(now)));
        active.retract_reason = Set(reason.to_owned());
        let row = active.update(&txn).await?;
        let record_after = record(&txn, &seller, now).await?;
        let mut after = standing(&record_after, &self.rules, now);
        let mut enqueued = false;
        if retraction_lifts(&record_after, &after, &self.rules, now)
            && let Some(suspension) = &record_after.suspension
        {
            let why = "strikes fell below the suspension threshold after a retraction";
            self.end_suspension_in(
                &txn,
                &row.seller_id,
                &suspension.suspension_id,
                why,
                now,
                true,
            )
            .await?;
            after = standing(&record(&txn, &seller, now).await?, &self.rules, now);
            enqueued = true;
        }
        txn.commit().await?;
        if enqueued {
            self.wake.wake();
        }
        Ok((row, after))
    }

    /// A seller's violations, newest decision first.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller.
    pub async fn list_violations(
        &self,
        seller_id: &str,
        page: &PageRequest,
    ) -> ServiceResult<Page<violation::Model>> {
        find(&self.db, seller_id, false).await?;
        let mut condition = Condition::all().add(violation::Column::SellerId.eq(seller_id));
        if let Some((time, key)) = &page.after {
            condition = condition.add(
                Condition::any()
                    .add(violation::Column::DecidedAt.lt(*time))
                    .add(
                        Condition::all()
                            .add(violation::Column::DecidedAt.eq(*time))
                            .add(violation::Column::ViolationKey.lt(key.as_str())),
                    ),
            );
        }
        let mut items = violation::Entity::find()
            .filter(condition)
            .order_by_desc(violation::Column::DecidedAt)
            .order_by_desc(violation::Column::ViolationKey)
            .limit(page.size + 1)
            .all(&self.db)
            .await?;
        let next_page_token = next_token(&mut items, page.size, |v| {
            encode(v.decided_at, &v.violation_key)
        });
        Ok(Page {
            items,
            next_page_token,
        })
    }

    /// Ends the suspension inside `txn`: marks it ended and enqueues ReinstateSellerListings.
    pub(super) async fn end_suspension_in(
        &self,
        txn: &DatabaseTransaction,
        seller_id: &str,
        suspension_id: &str,
        reason: &str,
        now: DateTime<Utc>,
        early: bool,
    ) -> ServiceResult<()> {
        use super::entities::suspension;
        let row = suspension::Entity::find_by_id(suspension_id)
            .one(txn)
            .await?
            .ok_or_else(|| ServiceError::not_found("suspension", suspension_id))?;
        let ended_at = if early {
            now
        } else {
            from_millis(row.ends_at).min(now)
        };
        let mut active = row.into_active_model();
        active.ended_at = Set(Some(to_millis(ended_at)));
        active.end_reason = Set(reason.to_owned());
        active.update(txn).await?;
        super::effects::reinstated(txn, seller_id, suspension_id, now, early).await?;
        Ok(())
    }
}

/// Trims the extra row fetched to detect a next page and answers its token.
pub(super) fn next_token<T>(
    items: &mut Vec<T>,
    size: u64,
    token_of: impl Fn(&T) -> String,
) -> String {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if items.len() > size {
        items.truncate(size);
        items.last().map(token_of).unwrap_or_default()
    } else {
        String::new()
    }
}
