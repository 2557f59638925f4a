//! Registering, verifying, reading and listing sellers.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::conflict::{TxError, once_more_on_conflict};
use super::entities::seller;
use super::page::{Page, PageRequest, encode};
use super::records::{record, records, records_of, verification_of};
use super::{Actor, Store};
use crate::domain::{Address, Code, Registration, Standing, Tier, VerificationStatus, standing};

/// Most sellers examined for one ListSellers page when filtering by tier (computed, not stored):
/// the page ends early with a token rather than scanning the whole table in one call.
const MAX_SCAN: usize = 5_000;
/// Sellers loaded per round while filtering.
const SCAN_BATCH: u64 = 200;

/// A RegisterSeller request, validated and normalized.
#[derive(Debug, Clone)]
pub struct NewSeller {
    pub request_id: String,
    /// `None`: generate one.
    pub seller_id: Option<String>,
    pub registration: Registration,
}

/// A seller with its standing now.
#[derive(Debug, Clone)]
pub struct SellerView {
    pub row: seller::Model,
    pub standing: Standing,
}

impl SellerView {
    /// The stored traceability data.
    #[must_use]
    pub fn registration(&self) -> Registration {
        registration_of(&self.row)
    }
}

/// Which sellers ListSellers returns.
#[derive(Debug, Clone, Default)]
pub struct SellerFilter {
    pub tier: Option<Tier>,
    pub verification: Option<VerificationStatus>,
    /// Only sellers of this country (a regulator's jurisdiction).
    pub country_code: Option<String>,
    /// Only this seller (a seller listing itself).
    pub seller_id: Option<String>,
}

fn registration_of(row: &seller::Model) -> Registration {
    Registration {
        legal_name: row.legal_name.clone(),
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        address: Address {
            lines: serde_json::from_str(&row.address_lines).unwrap_or_default(),
            city: row.city.clone(),
            region: row.region.clone(),
            postal_code: row.postal_code.clone(),
            country_code: row.country_code.clone(),
        },
        trade_register_name: row.trade_register_name.clone(),
        trade_register_number: row.trade_register_number.clone(),
        id_document_ref: row.id_document_ref.clone(),
        payment_account_ref: row.payment_account_ref.clone(),
        self_certified: row.self_certified,
    }
}

fn new_row(
    new: &NewSeller,
    seller_id: String,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<seller::ActiveModel> {
    let r = &new.registration;
    let lines = serde_json::to_string(&r.address.lines).map_err(ServiceError::internal)?;
    Ok(seller::ActiveModel {
        seller_id: Set(seller_id),
        request_id: Set(new.request_id.clone()),
        display_name: Set(r.display_name.clone()),
        legal_name: Set(r.legal_name.clone()),
        email: Set(r.email.clone()),
        phone: Set(r.phone.clone()),
        address_lines: Set(lines),
        city: Set(r.address.city.clone()),
        region: Set(r.address.region.clone()),
        postal_code: Set(r.address.postal_code.clone()),
        country_code: Set(r.address.country_code.clone()),
        trade_register_name: Set(r.trade_register_name.clone()),
        trade_register_number: Set(r.trade_register_number.clone()),
        id_document_ref: Set(r.id_document_ref.clone()),
        payment_account_ref: Set(r.payment_account_ref.clone()),
        self_certified: Set(r.self_certified),
        verification_status: Set(VerificationStatus::Pending.code().to_owned()),
        verification_note: Set(String::new()),
        verified_by_subject: Set(String::new()),
        verified_by_role: Set(String::new()),
        registered_by_subject: Set(actor.subject.clone()),
        registered_by_role: Set(actor.role.clone()),
        created_at: Set(to_millis(now)),
        updated_at: Set(to_millis(now)),
        closed_at: Set(None),
        anonymized_at: Set(None),
    })
}

/// Whether a stored seller is what `new` asks for (a replay of the same request).
fn same_request(row: &seller::Model, new: &NewSeller) -> bool {
    new.seller_id.as_ref().is_none_or(|id| *id == row.seller_id)
        && registration_of(row) == new.registration
}

impl Store {
    /// Registers a seller; a replay of the same `request_id` with the same content answers the
    /// seller registered the first time.
    ///
    /// # Errors
    /// ALREADY_EXISTS when the request id was used with other content or the seller id is taken.
    pub async fn register(&self, new: NewSeller, actor: &Actor) -> ServiceResult<SellerView> {
        once_more_on_conflict(|| self.try_register(&new, actor)).await
    }

    async fn try_register(&self, new: &NewSeller, actor: &Actor) -> Result<SellerView, TxError> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let existing = seller::Entity::find()
            .filter(seller::Column::RequestId.eq(new.request_id.as_str()))
            .one(&txn)
            .await?;
        if let Some(row) = existing {
            if !same_request(&row, new) {
                return Err(ServiceError::already_exists(format!(
                    "request_id {:?} was already used to register seller {:?} with different data; use a new request_id",
                    new.request_id, row.seller_id
                ))
                .into());
            }
            let view = self.view(&txn, row, now).await?;
            txn.commit().await?;
            return Ok(view);
        }
        let seller_id = new
            .seller_id
            .clone()
            .unwrap_or_else(|| format!("s-{}", uuid::Uuid::now_v7().simple()));
        if seller::Entity::find_by_id(seller_id.as_str())
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(ServiceError::already_exists(format!(
                "seller {seller_id:?} is already registered"
            ))
            .into());
        }
        let row = new_row(new, seller_id, actor, now)?.insert(&txn).await?;
        let view = self.view(&txn, row, now).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Records the outcome of verification.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller.
    pub async fn verify(
        &self,
        seller_id: &str,
        outcome: VerificationStatus,
        note: &str,
        actor: &Actor,
    ) -> ServiceResult<SellerView> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let row = find(&txn, seller_id, true).await?;
        let mut active = row.into_active_model();
        active.verification_status = Set(outcome.code().to_owned());
        active.verification_note = Set(note.to_owned());
        active.verified_by_subject = Set(actor.subject.clone());
        active.verified_by_role = Set(actor.role.clone());
        active.updated_at = Set(to_millis(now));
        let row = active.update(&txn).await?;
        let view = self.view(&txn, row, now).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// One seller with its standing.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller.
    pub async fn seller(&self, seller_id: &str) -> ServiceResult<SellerView> {
        let row = find(&self.db, seller_id, false).await?;
        Ok(self.view(&self.db, row, self.now()).await?)
    }

    /// The standing of one seller now.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller.
    pub async fn standing(&self, seller_id: &str) -> ServiceResult<Standing> {
        Ok(self.seller(seller_id).await?.standing)
    }

    /// The standings of the known sellers among `seller_ids`, in that order, without duplicates.
    ///
    /// # Errors
    /// The database error.
    pub async fn standings(&self, seller_ids: &[String]) -> ServiceResult<Vec<(String, Standing)>> {
        let now = self.now();
        // Only the two columns standing needs: a look-up batch reads hundreds of sellers, and
        // decoding their whole traceability rows was most of its cost.
        let rows: Vec<(String, String)> = seller::Entity::find()
            .select_only()
            .columns([seller::Column::SellerId, seller::Column::VerificationStatus])
            .filter(seller::Column::SellerId.is_in(seller_ids.iter().map(String::as_str)))
            .into_tuple()
            .all(&self.db)
            .await?;
        let verified = rows
            .into_iter()
            .map(|(id, status)| Ok((id, verification_of(&status)?)))
            .collect::<Result<Vec<_>, DbErr>>()?;
        let mut records = records_of(&self.db, verified, now).await?;
        let mut out = Vec::with_capacity(records.len());
        for id in seller_ids {
            if let Some(record) = records.remove(id) {
                out.push((id.clone(), standing(&record, &self.rules, now)));
            }
        }
        Ok(out)
    }

    /// Sellers matching `filter`, by seller id.
    ///
    /// # Errors
    /// The database error.
    pub async fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: &PageRequest,
    ) -> ServiceResult<Page<SellerView>> {
        let now = self.now();
        let size = usize::try_from(page.size).unwrap_or(usize::MAX);
        // Without a tier filter every row matches: one more than a page tells whether there is a next.
        let limit = if filter.tier.is_some() {
            SCAN_BATCH
        } else {
            SCAN_BATCH.min(page.size + 1)
        };
        let mut after = page.after.as_ref().map(|(_, id)| id.clone());
        let mut items: Vec<SellerView> = Vec::new();
        let mut scanned = 0;
        loop {
            let batch = self.batch(filter, after.as_deref(), limit).await?;
            let exhausted = u64::try_from(batch.len()).unwrap_or(u64::MAX) < limit;
            let mut records = records(&self.db, &batch, now).await?;
            for row in batch {
                scanned += 1;
                after = Some(row.seller_id.clone());
                let Some(record) = records.remove(&row.seller_id) else {
                    continue;
                };
                let standing = standing(&record, &self.rules, now);
                if filter.tier.is_some_and(|tier| tier != standing.tier) {
                    continue;
                }
                if items.len() == size {
                    let token = items
                        .last()
                        .map(|last| encode(0, &last.row.seller_id))
                        .unwrap_or_default();
                    return Ok(Page {
                        items,
                        next_page_token: token,
                    });
                }
                items.push(SellerView { row, standing });
            }
            if exhausted {
                return Ok(Page {
                    items,
                    next_page_token: String::new(),
                });
            }
            if scanned >= MAX_SCAN {
                // Stop scanning: the caller continues after the last row examined.
                let token = after.as_deref().map(|id| encode(0, id)).unwrap_or_default();
                return Ok(Page {
                    items,
                    next_page_token: token,
                });
            }
        }
    }

    async fn batch(
        &self,
        filter: &SellerFilter,
        after: Option<&str>,
        limit: u64,
    ) -> ServiceResult<Vec<seller::Model>> {
        let mut condition = Condition::all();
        if let Some(after) = after {
            condition = condition.add(seller::Column::SellerId.gt(after));
        }
        if let Some(status) = filter.verification {
            condition = condition.add(seller::Column::VerificationStatus.eq(status.code()));
        }
        if let Some(country) = &filter.country_code {
            condition = condition.add(seller::Column::CountryCode.eq(country.as_str()));
        }
        if let Some(id) = &filter.seller_id {
            condition = condition.add(seller::Column::SellerId.eq(id.as_str()));
        }
        Ok(seller::Entity::find()
            .filter(condition)
            .order_by_asc(seller::Column::SellerId)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub(super) async fn view<C: ConnectionTrait>(
        &self,
        conn: &C,
        row: seller::Model,
        now: DateTime<Utc>,
    ) -> Result<SellerView, sea_orm::DbErr> {
        let record = record(conn, &row, now).await?;
        Ok(SellerView {
            standing: standing(&record, &self.rules, now),
            row,
        })
    }
}

/// The seller `seller_id`, locked for update when `lock` (serializes changes to one seller on
/// PostgreSQL; SQLite's write transaction already does).
///
/// # Errors
/// NOT_FOUND, or the database error.
pub(super) async fn find<C: ConnectionTrait>(
    conn: &C,
    seller_id: &str,
    lock: bool,
) -> ServiceResult<seller::Model> {
    let mut query = seller::Entity::find_by_id(seller_id);
    if lock {
        query = query.lock_exclusive();
    }
    query
        .one(conn)
        .await?
        .ok_or_else(|| ServiceError::not_found("seller", seller_id))
}
