//! Creating, editing and reading listings. Each write stores the screening, replaces the
//! screening measure, re-derives the status and, for a HOLD or BLOCK, enqueues the notice to
//! enforcement — all in one transaction.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::outbox::Wake;
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::create::{CreateRequest, create_listings, reason};
use super::entities::{listing, listing_measure};
use super::measures::{active_measures, refresh_status};
use super::notices::notice_message;
use super::page::{Page, PageRequest};
use super::views::{ListingView, StoredImage, StoredScreening};
use super::{Actor, digest};
use crate::domain::measures::{ListingStatus, MeasureKind};
use crate::domain::money::Money;
use crate::screening::{Assessment, Decision, ImageHash};

/// The editable fields of a listing, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingContent {
    pub title: String,
    pub description: String,
    pub category: String,
    pub price: Money,
    pub images: Vec<ImageHash>,
}

impl ListingContent {
    pub(super) fn digest(&self, seller_id: &str) -> String {
        let hashes: Vec<String> = self.images.iter().map(|i| i.hash.to_hex()).collect();
        digest(&[
            seller_id,
            &self.title,
            &self.description,
            &self.category,
            &self.price.currency_code,
            &self.price.units.to_string(),
            &self.price.nanos.to_string(),
            &hashes.join(","),
        ])
    }

    pub(super) fn images_json(&self) -> ServiceResult<String> {
        let stored: Vec<StoredImage> = self
            .images
            .iter()
            .map(|i| StoredImage {
                hash: i.hash.to_hex(),
                quality: i.quality,
            })
            .collect();
        serde_json::to_string(&stored).map_err(ServiceError::internal)
    }
}

/// A listing to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListing {
    pub request_id: String,
    pub seller_id: String,
    pub content: ListingContent,
}

/// A screening outcome with its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    pub assessment: Assessment,
    pub screened_at: DateTime<Utc>,
}

impl Screened {
    pub(super) fn json(&self) -> ServiceResult<String> {
        serde_json::to_string(&StoredScreening {
            assessment: self.assessment.clone(),
            screened_at: to_millis(self.screened_at),
        })
        .map_err(ServiceError::internal)
    }
}

/// Which listings a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Staff, regulators and services: everything.
    All,
    /// Everyone else: active listings, plus every listing of this seller (their own).
    ActiveOrOwn(String),
}

/// Filters of a listing query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingFilter {
    pub seller_id: Option<String>,
    pub status: Option<ListingStatus>,
    pub visibility: Visibility,
}

/// The listing created earlier by the same seller with the same request id, if its content is
/// the same.
///
/// # Errors
/// `ALREADY_EXISTS` when the request id was used for different content; database errors.
pub async fn find_by_request(
    db: &DatabaseConnection,
    seller_id: &str,
    request_id: &str,
    content: &ListingContent,
) -> ServiceResult<Option<ListingView>> {
    let Some(row) = listing::Entity::find()
        .filter(listing::Column::SellerId.eq(seller_id))
        .filter(listing::Column::RequestId.eq(request_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.content_digest != content.digest(seller_id) {
        return Err(ServiceError::already_exists(format!(
            "request_id {request_id:?} was already used to create listing {} with different content; \
             use a new request_id for a new listing, or UpdateListing to change it",
            row.listing_id
        )));
    }
    Ok(Some(get_listing(db, &row.listing_id).await?))
}

/// Creates a screened listing in a transaction of its own. Idempotent on (seller, request id).
/// The API writes through [`super::GroupCommit`] instead, which batches concurrent creates.
///
/// # Errors
/// `ALREADY_EXISTS` on a conflicting reuse of the request id; database errors.
pub async fn create_listing(
    db: &DatabaseConnection,
    new: NewListing,
    screened: &Screened,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<ListingView> {
    let request = CreateRequest {
        new,
        screened: screened.clone(),
        actor: actor.clone(),
        now,
    };
    // No dispatcher to hand the notice to: it is written unclaimed, for the next sweep.
    create_listings(db, &Wake::new(), std::slice::from_ref(&request))
        .await
        .pop()
        .unwrap_or_else(|| Err(ServiceError::internal("listing create left unanswered")))
}

/// Replaces the content of a listing read at `version` and stores its new screening.
///
/// # Errors
/// `NOT_FOUND`; `ABORTED` when the listing changed since it was read; database errors.
pub async fn update_listing(
    db: &DatabaseConnection,
    listing_id: &str,
    version: i64,
    content: &ListingContent,
    screened: &Screened,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<ListingView> {
    let txn = begin_write(db).await?;
    let current = get_listing(&txn, listing_id).await?;
    let next_version = version + 1;
    // This UPDATE also takes the row lock that `refresh_status` below relies on.
    let updated = listing::Entity::update_many()
        .col_expr(listing::Column::Title, Expr::value(content.title.clone()))
        .col_expr(
            listing::Column::Description,
            Expr::value(content.description.clone()),
        )
        .col_expr(
            listing::Column::Category,
            Expr::value(content.category.clone()),
        )
        .col_expr(
            listing::Column::PriceCurrency,
            Expr::value(content.price.currency_code.clone()),
        )
        .col_expr(
            listing::Column::PriceUnits,
            Expr::value(content.price.units),
        )
        .col_expr(
            listing::Column::PriceNanos,
            Expr::value(i64::from(content.price.nanos)),
        )
        .col_expr(
            listing::Column::ImageHashes,
            Expr::value(content.images_json()?),
        )
        .col_expr(listing::Column::Screening, Expr::value(screened.json()?))
        .col_expr(listing::Column::ScreeningVersion, Expr::value(next_version))
        .col_expr(listing::Column::UpdatedAt, Expr::value(to_millis(now)))
        .filter(listing::Column::ListingId.eq(listing_id))
        .filter(listing::Column::ScreeningVersion.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Err(ServiceError::new(
            genuine_runtime::errors::ErrorCode::Aborted,
            format!(
                "listing {listing_id} changed while it was being edited; read it again and retry"
            ),
        ));
    }
    apply_screening(
        &txn,
        listing_id,
        &current.seller_id,
        next_version,
        screened,
        actor,
        now,
    )
    .await?;
    refresh_status(&txn, listing_id, now).await?;
    let view = get_listing(&txn, listing_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Replaces the screening measure and, for a HOLD or BLOCK, enqueues the notice.
async fn apply_screening(
    txn: &DatabaseTransaction,
    listing_id: &str,
    seller_id: &str,
    version: i64,
    screened: &Screened,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
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
        .exec(txn)
        .await?;
    let kind = match screened.assessment.decision {
        Decision::Publish => return Ok(()),
        Decision::HoldForReview => MeasureKind::ScreeningHold,
        Decision::Block => MeasureKind::ScreeningBlock,
    };
    impose(
        txn,
        listing_id,
        kind,
        "",
        &reason(screened),
        &actor.subject,
        now,
    )
    .await?;
    let message = notice_message(listing_id, seller_id, version, &screened.assessment, now);
    genuine_runtime::outbox::enqueue(txn, message).await?;
    Ok(())
}

/// Imposes (or re-imposes) the measure (listing, kind, key).
pub(super) async fn impose(
    txn: &DatabaseTransaction,
    listing_id: &str,
    kind: MeasureKind,
    key: &str,
    reason: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    listing_measure::Entity::insert(listing_measure::ActiveModel {
        listing_id: Set(listing_id.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        measure_key: Set(key.to_owned()),
        reason: Set(reason.to_owned()),
        imposed_at: Set(to_millis(now)),
        lifted_at: Set(None),
        imposed_by_subject: Set(subject.to_owned()),
        action_id: NotSet,
        action_generation: NotSet,
    })
    .on_conflict(
        OnConflict::columns([
            listing_measure::Column::ListingId,
            listing_measure::Column::Kind,
            listing_measure::Column::MeasureKey,
        ])
        .update_columns([
            listing_measure::Column::Reason,
            listing_measure::Column::ImposedAt,
            listing_measure::Column::LiftedAt,
            listing_measure::Column::ImposedBySubject,
        ])
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// One listing with its active measures.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn get_listing<C: ConnectionTrait>(
    db: &C,
    listing_id: &str,
) -> ServiceResult<ListingView> {
    let row = listing::Entity::find_by_id(listing_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("listing", listing_id))?;
    listing_view(db, row).await
}

/// The listing, its row locked until `txn` ends (`FOR UPDATE` on PostgreSQL; on SQLite the
/// immediate write transaction already holds the database). A change of a listing's measures
/// reads, decides and writes: the lock makes concurrent deliveries for one listing take turns
/// instead of both inserting the same row or overwriting a newer action with an older one.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub(super) async fn lock_listing(
    txn: &DatabaseTransaction,
    listing_id: &str,
) -> ServiceResult<ListingView> {
    let row = listing::Entity::find_by_id(listing_id.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("listing", listing_id))?;
    listing_view(txn, row).await
}

async fn listing_view<C: ConnectionTrait>(
    db: &C,
    row: listing::Model,
) -> ServiceResult<ListingView> {
    let measures = active_measures(db, std::slice::from_ref(&row.listing_id)).await?;
    ListingView::from_row(row, measures.into_iter().map(|(_, m)| m).collect())
}

/// A page of listings in id (creation) order.
///
/// # Errors
/// Database errors.
pub async fn list_listings(
    db: &DatabaseConnection,
    filter: &ListingFilter,
    page: &PageRequest,
) -> ServiceResult<Page<ListingView>> {
    let mut query = listing::Entity::find().order_by_asc(listing::Column::ListingId);
    if let Some(seller_id) = &filter.seller_id {
        query = query.filter(listing::Column::SellerId.eq(seller_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(listing::Column::Status.eq(status.as_str()));
    }
    if let Visibility::ActiveOrOwn(subject) = &filter.visibility {
        query = query.filter(
            Condition::any()
                .add(listing::Column::Status.eq(ListingStatus::Active.as_str()))
                .add(listing::Column::SellerId.eq(subject)),
        );
    }
    if let Some(after) = &page.after {
        query = query.filter(listing::Column::ListingId.gt(after.as_str()));
    }
    let rows = query.limit(page.size + 1).all(db).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.listing_id.clone()).collect();
    let mut measures = active_measures(db, &ids).await?;
    let views = rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = measures
                .drain(..)
                .partition(|(id, _)| *id == row.listing_id);
            measures = rest;
            ListingView::from_row(row, mine.into_iter().map(|(_, m)| m).collect())
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(page.page(views, |l| &l.listing_id))
}
