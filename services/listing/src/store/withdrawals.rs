//! A seller's withdrawal of its listing: the WITHDRAWN measure. Final (there is no un-withdraw)
//! and idempotent: withdrawing again returns the listing unchanged.

use chrono::{DateTime, Utc};
use genuine_runtime::errors::ServiceResult;
use genuine_runtime::storage::begin_write;

use super::Actor;
use super::listings::{get_listing, impose, lock_listing};
use super::measures::{measure, refresh_status};
use super::views::ListingView;
use crate::domain::measures::MeasureKind;

/// Withdraws the listing (whatever other measures it has: they stay on record).
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn withdraw_listing(
    db: &sea_orm::DatabaseConnection,
    listing_id: &str,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<ListingView> {
    let txn = begin_write(db).await?;
    let current = lock_listing(&txn, listing_id).await?;
    if measure(&txn, listing_id, MeasureKind::Withdrawal, "")
        .await?
        .is_some()
    {
        txn.rollback().await?;
        return Ok(current);
    }
    impose(
        &txn,
        listing_id,
        MeasureKind::Withdrawal,
        "",
        reason,
        &actor.subject,
        now,
    )
    .await?;
    refresh_status(&txn, listing_id, now).await?;
    let view = get_listing(&txn, listing_id).await?;
    txn.commit().await?;
    Ok(view)
}
