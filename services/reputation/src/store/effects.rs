//! The outbox messages this service writes, with their kinds and payloads. Keys are the
//! suspension id, so listing applies each effect once however often it is delivered.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::listing::v1::{
    ReinstateSellerListingsRequest, SuspendSellerListingsRequest,
};
use genuine_runtime::outbox::{NewMessage, enqueue};
use prost::Message as _;
use sea_orm::{ConnectionTrait, DbErr};

/// Listing takes down all of a suspended seller's listings.
pub const SUSPEND_LISTINGS: &str = "listing.suspend_seller_listings";
/// Listing restores a reinstated seller's listings (those without a measure of their own).
pub const REINSTATE_LISTINGS: &str = "listing.reinstate_seller_listings";
/// Deadline: the suspension's period is over.
pub const SUSPENSION_END: &str = "reputation.suspension_end";

/// Enqueues SuspendSellerListings now and the suspension's end deadline at `ends_at`.
///
/// # Errors
/// The database error.
pub async fn suspended<C: ConnectionTrait>(
    conn: &C,
    seller_id: &str,
    suspension_id: &str,
    reason: &str,
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let request = SuspendSellerListingsRequest {
        seller_id: seller_id.to_owned(),
        suspension_id: suspension_id.to_owned(),
        reason: reason.to_owned(),
    };
    enqueue(
        conn,
        NewMessage::deadline(
            SUSPEND_LISTINGS,
            suspension_id,
            request.encode_to_vec(),
            now,
        ),
    )
    .await?;
    enqueue(
        conn,
        NewMessage::deadline(SUSPENSION_END, suspension_id, Vec::new(), ends_at),
    )
    .await?;
    Ok(())
}

/// Enqueues ReinstateSellerListings now and, when reinstated early, withdraws the end deadline
/// (moot then; the deadline's own handler leaves its row to the dispatcher).
///
/// # Errors
/// The database error.
pub async fn reinstated<C: ConnectionTrait>(
    conn: &C,
    seller_id: &str,
    suspension_id: &str,
    now: DateTime<Utc>,
    early: bool,
) -> Result<(), DbErr> {
    let request = ReinstateSellerListingsRequest {
        seller_id: seller_id.to_owned(),
        suspension_id: suspension_id.to_owned(),
    };
    enqueue(
        conn,
        NewMessage::deadline(
            REINSTATE_LISTINGS,
            suspension_id,
            request.encode_to_vec(),
            now,
        ),
    )
    .await?;
    if early {
        genuine_runtime::outbox::cancel(conn, SUSPENSION_END, suspension_id).await?;
    }
    Ok(())
}
