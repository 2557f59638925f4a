//! Closing a seller and the retention sweep (DSA Art. 30): traceability data is kept for the
//! relationship plus the retention period, then anonymised. The deadline is an outbox message
//! due at `close + retention`, so it survives restarts and fires once; the seller id, standing,
//! violations and inspections stay, so the record of what happened is kept without the person.

use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::ServiceResult;
use genuine_runtime::outbox::{NewMessage, enqueue};
use genuine_runtime::storage::begin_write;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

use super::sellers::{SellerView, find};
use super::{Actor, Store};

/// Outbox kind of the retention deadline (key and payload: the seller id).
pub const RETENTION: &str = "reputation.retention";

/// The display name an anonymised seller keeps.
pub const CLOSED_SELLER: &str = "closed seller";

impl Store {
    /// Ends the relationship with the seller and schedules the anonymisation of its
    /// traceability data. Closing a closed seller answers it unchanged.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; the database error.
    pub async fn close_seller(&self, seller_id: &str, actor: &Actor) -> ServiceResult<SellerView> {
        let now = self.now();
        let txn = begin_write(self.db()).await?;
        let row = find(&txn, seller_id, true).await?;
        if row.closed_at.is_some() {
            let view = self.view(&txn, row, now).await?;
            txn.commit().await?;
            return Ok(view);
        }
        let mut active = row.into_active_model();
        active.closed_at = Set(Some(to_millis(now)));
        active.updated_at = Set(to_millis(now));
        let row = active.update(&txn).await?;
        let due = now + self.rules.retention;
        enqueue(
            &txn,
            NewMessage::deadline(RETENTION, seller_id, seller_id.as_bytes().to_vec(), due),
        )
        .await?;
        tracing::info!(seller_id, by = %actor.subject, %due, "seller closed");
        let view = self.view(&txn, row, now).await?;
        txn.commit().await?;
        self.wake.wake();
        Ok(view)
    }

    /// Replaces the seller's traceability data (the retention period is over). Answers whether
    /// this call anonymised it: false for a seller already anonymised, or not closed.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; the database error.
    pub async fn anonymise_seller(&self, seller_id: &str) -> ServiceResult<bool> {
        let now = self.now();
        let txn = begin_write(self.db()).await?;
        let row = find(&txn, seller_id, true).await?;
        if row.closed_at.is_none() || row.anonymized_at.is_some() {
            txn.rollback().await?;
            return Ok(false);
        }
        let mut active = row.into_active_model();
        // The country stays: it names the regulator whose jurisdiction the record falls in.
        active.display_name = Set(CLOSED_SELLER.to_owned());
        active.legal_name = Set(CLOSED_SELLER.to_owned());
        active.email = Set(String::new());
        active.phone = Set(String::new());
        active.address_lines = Set("[]".to_owned());
        active.city = Set(String::new());
        active.region = Set(String::new());
        active.postal_code = Set(String::new());
        active.trade_register_name = Set(String::new());
        active.trade_register_number = Set(String::new());
        active.id_document_ref = Set(String::new());
        active.payment_account_ref = Set(String::new());
        active.verification_note = Set(String::new());
        active.anonymized_at = Set(Some(to_millis(now)));
        active.updated_at = Set(to_millis(now));
        active.update(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }
}
