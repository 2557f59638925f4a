//! Creating listings: one, or a batch in one transaction (group commit, see
//! [`super::group_commit`]). A new listing has no earlier measures to lift and nothing to
//! re-read: its status, measures and the returned view are built in memory, so a batch costs
//! BEGIN, a shared lock on its sellers' keys (so a suspension under way either sees the new
//! listings or is seen by them), one suspension look-up, one multi-row insert each for listings,
//! measures and notices, and COMMIT, however many listings it holds.
//!
//! Idempotent on (seller, request id): the insert skips a key already stored (by an earlier
//! request, another replica, or an earlier duplicate in the same batch), and such an item is
//! answered from the stored listing: the same listing for the same content, `ALREADY_EXISTS`
//! for different content.
//!
//! One item's bad data must not fail the others: when a batch's transaction fails, nothing of
//! it was written, and each item is written again in a transaction of its own, so only the bad
//! one fails.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use genuine_runtime::clock::{from_millis, to_millis};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::outbox::{Wake, enqueue_for_handover};
use genuine_runtime::storage::{KeyLock, begin_write, lock_keys};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryTrait,
};

use super::Actor;
use super::entities::{listing, listing_measure, seller_suspension};
use super::listings::{NewListing, Screened, find_by_request};
use super::measures::SELLER_KEYS;
use super::notices::notice_message;
use super::views::{ListingView, MeasureView, StoredScreening};
use crate::domain::measures::{MeasureKind, derive_status};
use crate::screening::Decision;

/// One CreateListing to write: the validated listing, its screening, who asked and when.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub new: NewListing,
    pub screened: Screened,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Writes `requests` in one transaction where possible; answers each, in order. Their notices
/// are handed to the dispatcher that `wake` reaches, already claimed for it.
pub async fn create_listings(
    db: &DatabaseConnection,
    wake: &Wake,
    requests: &[CreateRequest],
) -> Vec<ServiceResult<ListingView>> {
    let mut results: Vec<Option<ServiceResult<ListingView>>> =
        requests.iter().map(|_| None).collect();
    let (firsts, repeats) = split_repeats(requests);
    let mut stored_elsewhere = Vec::new();
    let batch: Vec<&CreateRequest> = firsts.iter().map(|&i| &requests[i]).collect();
    match write_new(db, wake, &batch).await {
        Ok(written) => {
            for (&i, view) in firsts.iter().zip(written) {
                match view {
                    Some(view) => results[i] = Some(Ok(view)),
                    None => stored_elsewhere.push(i),
                }
            }
        }
        Err(error) if firsts.len() == 1 => results[firsts[0]] = Some(Err(error)),
        Err(error) => {
            tracing::info!(%error, items = firsts.len(), "batch of listings failed; writing each alone");
            for &i in &firsts {
                match write_new(db, wake, &[&requests[i]]).await {
                    Ok(mut written) => match written.pop().flatten() {
                        Some(view) => results[i] = Some(Ok(view)),
                        None => stored_elsewhere.push(i),
                    },
                    Err(error) => results[i] = Some(Err(error)),
                }
            }
        }
    }
    for i in stored_elsewhere.into_iter().chain(repeats) {
        results[i] = Some(stored_or_write(db, wake, &requests[i]).await);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ServiceError::internal("listing create left unanswered"))))
        .collect()
}

/// Indices of the first request for each (seller, request id), and of the repeats after it.
fn split_repeats(requests: &[CreateRequest]) -> (Vec<usize>, Vec<usize>) {
    let mut seen = HashSet::new();
    (0..requests.len()).partition(|&i| {
        let new = &requests[i].new;
        seen.insert((new.seller_id.as_str(), new.request_id.as_str()))
    })
}

/// The listing already stored for the request's (seller, request id), or, when there is none
/// (the first of a batch failed), the request written alone.
async fn stored_or_write(
    db: &DatabaseConnection,
    wake: &Wake,
    request: &CreateRequest,
) -> ServiceResult<ListingView> {
    let new = &request.new;
    if let Some(view) = find_by_request(db, &new.seller_id, &new.request_id, &new.content).await? {
        return Ok(view);
    }
    match write_new(db, wake, &[request]).await?.pop().flatten() {
        Some(view) => Ok(view),
        None => find_by_request(db, &new.seller_id, &new.request_id, &new.content)
            .await?
            .ok_or_else(|| ServiceError::internal("listing vanished after a request-id conflict")),
    }
}

/// Writes `requests` (distinct request ids) in one transaction. Answers, per request, its view,
/// or `None` when its (seller, request id) was already stored.
async fn write_new(
    db: &DatabaseConnection,
    wake: &Wake,
    requests: &[&CreateRequest],
) -> ServiceResult<Vec<Option<ListingView>>> {
    let txn = begin_write(db).await?;
    let sellers = requests.iter().map(|r| r.new.seller_id.as_str());
    lock_keys(&txn, SELLER_KEYS, sellers, KeyLock::Shared).await?;
    let suspensions = active_suspensions(&txn, requests).await?;
    let mut drafts = requests
        .iter()
        .map(|r| NewRow::build(r, suspensions.get(r.new.seller_id.as_str())))
        .collect::<ServiceResult<Vec<_>>>()?;
    let inserted = insert_listings(&txn, &mut drafts).await?;
    let mut measures = Vec::new();
    let mut notices = Vec::new();
    for (draft, request) in drafts.iter_mut().zip(requests) {
        if !inserted.contains(&draft.view.listing_id) {
            continue;
        }
        measures.append(&mut draft.measures);
        if draft.view.screening.assessment.decision != Decision::Publish {
            notices.push(notice_message(
                &draft.view.listing_id,
                &draft.view.seller_id,
                1,
                &request.screened.assessment,
                request.now,
            ));
        }
    }
    if !measures.is_empty() {
        listing_measure::Entity::insert_many(measures)
            .exec_without_returning(&txn)
            .await?;
    }
    // Every notice is due at its request's time, so all are due by the latest of them.
    let now = requests
        .iter()
        .map(|r| r.now)
        .max()
        .unwrap_or_else(Utc::now);
    let handover = enqueue_for_handover(&txn, notices, now, wake).await?;
    txn.commit().await?;
    wake.hand_over(handover);
    Ok(drafts
        .into_iter()
        .map(|d| inserted.contains(&d.view.listing_id).then_some(d.view))
        .collect())
}

/// The active suspensions of the requests' sellers: a listing created while its seller is
/// suspended is suspended too.
async fn active_suspensions(
    txn: &DatabaseTransaction,
    requests: &[&CreateRequest],
) -> ServiceResult<HashMap<String, Vec<seller_suspension::Model>>> {
    let sellers: HashSet<&str> = requests.iter().map(|r| r.new.seller_id.as_str()).collect();
    let rows = seller_suspension::Entity::find()
        .filter(seller_suspension::Column::SellerId.is_in(sellers))
        .filter(seller_suspension::Column::LiftedAt.is_null())
        .all(txn)
        .await?;
    let mut by_seller: HashMap<String, Vec<seller_suspension::Model>> = HashMap::new();
    for row in rows {
        by_seller
            .entry(row.seller_id.clone())
            .or_default()
            .push(row);
    }
    Ok(by_seller)
}

/// Inserts the listing rows, skipping (seller, request id) keys already stored; answers the ids
/// inserted.
async fn insert_listings(
    txn: &DatabaseTransaction,
    drafts: &mut [NewRow],
) -> ServiceResult<HashSet<String>> {
    let rows = drafts.iter_mut().filter_map(|d| d.row.take());
    let mut insert = listing::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([listing::Column::SellerId, listing::Column::RequestId])
                .do_nothing()
                .to_owned(),
        )
        .into_query();
    insert.returning_col(listing::Column::ListingId);
    let returned = txn.query_all(&insert).await?;
    returned
        .iter()
        .map(|row| {
            row.try_get::<String>("", "listing_id")
                .map_err(ServiceError::from)
        })
        .collect()
}

/// A new listing prepared in memory: its row, its measure rows and the view it will have.
struct NewRow {
    row: Option<listing::ActiveModel>,
    measures: Vec<listing_measure::ActiveModel>,
    view: ListingView,
}

impl NewRow {
    fn build(
        request: &CreateRequest,
        suspensions: Option<&Vec<seller_suspension::Model>>,
    ) -> ServiceResult<Self> {
        let CreateRequest {
            new,
            screened,
            actor,
            now,
        } = request;
        let listing_id = format!("lst-{}", uuid::Uuid::now_v7().simple());
        let at = to_millis(*now);
        let mut imposed: Vec<(MeasureKind, &str, String)> = Vec::new();
        match screened.assessment.decision {
            Decision::Publish => {}
            Decision::HoldForReview => {
                imposed.push((MeasureKind::ScreeningHold, "", reason(screened)))
            }
            Decision::Block => imposed.push((MeasureKind::ScreeningBlock, "", reason(screened))),
        }
        for suspension in suspensions.into_iter().flatten() {
            imposed.push((
                MeasureKind::SellerSuspension,
                &suspension.suspension_id,
                suspension.reason.clone(),
            ));
        }
        let status = derive_status(imposed.iter().map(|(kind, _, _)| *kind));
        let measures = imposed
            .iter()
            .map(|(kind, key, reason)| listing_measure::ActiveModel {
                listing_id: Set(listing_id.clone()),
                kind: Set(kind.as_str().to_owned()),
                measure_key: Set((*key).to_owned()),
                reason: Set(reason.clone()),
                imposed_at: Set(at),
                lifted_at: Set(None),
                imposed_by_subject: Set(actor.subject.clone()),
                action_id: NotSet,
                action_generation: NotSet,
            })
            .collect();
        let content = &new.content;
        let row = listing::ActiveModel {
            listing_id: Set(listing_id.clone()),
            seller_id: Set(new.seller_id.clone()),
            request_id: Set(new.request_id.clone()),
            content_digest: Set(content.digest(&new.seller_id)),
            title: Set(content.title.clone()),
            description: Set(content.description.clone()),
            category: Set(content.category.clone()),
            price_currency: Set(content.price.currency_code.clone()),
            price_units: Set(content.price.units),
            price_nanos: Set(i64::from(content.price.nanos)),
            image_hashes: Set(content.images_json()?),
            screening: Set(screened.json()?),
            screening_version: Set(1),
            status: Set(status.as_str().to_owned()),
            created_at: Set(at),
            updated_at: Set(at),
        };
        // Times as stored (whole milliseconds), so the answer equals a later read.
        let stored_now = from_millis(at);
        let view = ListingView {
            listing_id,
            seller_id: new.seller_id.clone(),
            title: content.title.clone(),
            description: content.description.clone(),
            category: content.category.clone(),
            price: content.price.clone(),
            images: content.images.clone(),
            status,
            screening: StoredScreening {
                assessment: screened.assessment.clone(),
                screened_at: to_millis(screened.screened_at),
            },
            measures: imposed
                .into_iter()
                .map(|(kind, key, reason)| MeasureView {
                    kind,
                    key: key.to_owned(),
                    reason,
                    create_time: stored_now,
                })
                .collect(),
            create_time: stored_now,
            update_time: stored_now,
            version: 1,
        };
        Ok(Self {
            row: Some(row),
            measures,
            view,
        })
    }
}

/// Why screening holds or blocks a listing, as its measure records it.
pub(super) fn reason(screened: &Screened) -> String {
    format!("screening risk score {}", screened.assessment.risk_score)
}
