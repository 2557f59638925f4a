//! Suspending and reinstating sellers, and ending suspensions whose period is over. Each change
//! writes its listing effect (and the end deadline) to the outbox in the same transaction.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, Set};

use super::entities::suspension;
use super::records::{record, suspension_fact};
use super::sellers::find;
use super::{Actor, Store, effects};
use crate::domain::{Code, Standing, SuspensionOrigin, standing};

impl Store {
    /// Inserts a suspension starting `now` and enqueues its effects; answers its id.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn insert_suspension(
        &self,
        txn: &DatabaseTransaction,
        seller_id: &str,
        origin: SuspensionOrigin,
        reason: &str,
        ends_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> ServiceResult<String> {
        let suspension_id = format!("susp-{}", uuid::Uuid::now_v7().simple());
        suspension::ActiveModel {
            suspension_id: Set(suspension_id.clone()),
            seller_id: Set(seller_id.to_owned()),
            origin: Set(origin.code().to_owned()),
            reason: Set(reason.to_owned()),
            starts_at: Set(to_millis(now)),
            ends_at: Set(to_millis(ends_at)),
            ended_at: Set(None),
            end_reason: Set(String::new()),
            created_by_subject: Set(actor.subject.clone()),
            created_by_role: Set(actor.role.clone()),
        }
        .insert(txn)
        .await?;
        effects::suspended(txn, seller_id, &suspension_id, reason, now, ends_at).await?;
        Ok(suspension_id)
    }

    /// Suspends a seller until `until` (default: the configured period) by a person's decision.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; FAILED_PRECONDITION when already suspended;
    /// INVALID_ARGUMENT when `until` is not in the future.
    pub async fn suspend(
        &self,
        seller_id: &str,
        reason: &str,
        until: Option<DateTime<Utc>>,
        actor: &Actor,
    ) -> ServiceResult<Standing> {
        let now = self.now();
        let ends_at = until.unwrap_or(now + self.rules.suspension_period);
        if ends_at <= now {
            return Err(ServiceError::invalid_field(
                "until",
                "must be in the future",
            ));
        }
        let txn = begin_write(&self.db).await?;
        let seller = find(&txn, seller_id, true).await?;
        let current = record(&txn, &seller, now).await?;
        if let Some(active) = &current.suspension {
            return Err(ServiceError::failed_precondition(
                "SELLER_SUSPENDED",
                seller_id,
                format!(
                    "seller {seller_id:?} is already suspended until {} (suspension {}); reinstate it first to change the period",
                    active.ends_at.to_rfc3339(),
                    active.suspension_id
                ),
            ));
        }
        self.insert_suspension(
            &txn,
            seller_id,
            SuspensionOrigin::Manual,
            reason,
            ends_at,
            actor,
            now,
        )
        .await?;
        let after = standing(&record(&txn, &seller, now).await?, &self.rules, now);
        txn.commit().await?;
        self.wake.wake();
        Ok(after)
    }

    /// Ends a seller's active suspension now (an appeal won, a person's decision).
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; FAILED_PRECONDITION when it is not suspended.
    pub async fn reinstate(&self, seller_id: &str, reason: &str) -> ServiceResult<Standing> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let seller = find(&txn, seller_id, true).await?;
        let current = record(&txn, &seller, now).await?;
        let Some(active) = current.suspension else {
            return Err(ServiceError::failed_precondition(
                "SELLER_NOT_SUSPENDED",
                seller_id,
                format!("seller {seller_id:?} is not suspended"),
            ));
        };
        self.end_suspension_in(&txn, seller_id, &active.suspension_id, reason, now, true)
            .await?;
        let after = standing(&record(&txn, &seller, now).await?, &self.rules, now);
        txn.commit().await?;
        self.wake.wake();
        Ok(after)
    }

    /// The suspension-end deadline fired: unless it was ended already (reinstated), record its
    /// end and enqueue ReinstateSellerListings. Answers whether it ended it now. Idempotent.
    ///
    /// # Errors
    /// FAILED_PRECONDITION when the period is not over yet (a deadline fired early: retry later).
    pub async fn end_suspension(&self, suspension_id: &str) -> ServiceResult<bool> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let Some(row) = suspension::Entity::find_by_id(suspension_id)
            .one(&txn)
            .await?
        else {
            return Err(ServiceError::not_found("suspension", suspension_id));
        };
        find(&txn, &row.seller_id, true).await?;
        let fact = suspension_fact(&row)?;
        if fact.ended_at.is_some() {
            txn.commit().await?;
            return Ok(false);
        }
        if now < fact.ends_at {
            return Err(ServiceError::failed_precondition(
                "SUSPENSION_PERIOD",
                suspension_id,
                format!(
                    "suspension {suspension_id} runs until {}",
                    fact.ends_at.to_rfc3339()
                ),
            ));
        }
        self.end_suspension_in(
            &txn,
            &row.seller_id,
            suspension_id,
            "suspension period over",
            now,
            false,
        )
        .await?;
        txn.commit().await?;
        self.wake.wake();
        Ok(true)
    }
}
