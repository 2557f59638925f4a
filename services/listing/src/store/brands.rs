//! Protected brands and their authorised sellers.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::{brand, brand_seller};
use super::page::{Page, PageRequest};
use super::views::{BrandView, StoredPrice};
use super::{Actor, digest};
use crate::domain::money::Money;

/// A validated brand registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBrand {
    pub request_id: String,
    pub display_name: String,
    pub aliases: Vec<String>,
    pub owner_id: String,
    pub reference_prices: Vec<(String, Money)>,
}

impl NewBrand {
    fn content_digest(&self, prices_json: &str, aliases_json: &str) -> String {
        digest(&[
            &self.display_name,
            aliases_json,
            &self.owner_id,
            prices_json,
        ])
    }
}

/// Registers a brand; a retry with the same request id and content returns the same brand.
///
/// # Errors
/// `ALREADY_EXISTS` when the request id was used for other content; database errors.
pub async fn register_brand(
    db: &DatabaseConnection,
    new: NewBrand,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<BrandView> {
    let aliases_json = serde_json::to_string(&new.aliases).map_err(ServiceError::internal)?;
    let prices: Vec<StoredPrice> = new
        .reference_prices
        .iter()
        .map(|(category, m)| StoredPrice {
            category: category.clone(),
            currency_code: m.currency_code.clone(),
            units: m.units,
            nanos: m.nanos,
        })
        .collect();
    let prices_json = serde_json::to_string(&prices).map_err(ServiceError::internal)?;
    let content_digest = new.content_digest(&prices_json, &aliases_json);
    let txn = begin_write(db).await?;
    if let Some(existing) = brand::Entity::find()
        .filter(brand::Column::RequestId.eq(&new.request_id))
        .one(&txn)
        .await?
    {
        txn.rollback().await?;
        if existing.content_digest != content_digest {
            return Err(ServiceError::already_exists(format!(
                "request_id {:?} was already used to register brand {} with different content; use a new request_id",
                new.request_id, existing.brand_id
            )));
        }
        return get_brand(db, &existing.brand_id).await;
    }
    let brand_id = format!("brand-{}", uuid::Uuid::now_v7().simple());
    brand::Entity::insert(brand::ActiveModel {
        brand_id: Set(brand_id.clone()),
        request_id: Set(new.request_id),
        content_digest: Set(content_digest),
        display_name: Set(new.display_name),
        aliases: Set(aliases_json),
        owner_id: Set(new.owner_id),
        reference_prices: Set(prices_json),
        created_at: Set(to_millis(now)),
        updated_at: Set(to_millis(now)),
        created_by_subject: Set(actor.subject.clone()),
        created_by_role: Set(actor.role.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    get_brand(db, &brand_id).await
}

/// One brand with its authorised sellers.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn get_brand<C: ConnectionTrait>(db: &C, brand_id: &str) -> ServiceResult<BrandView> {
    let row = brand::Entity::find_by_id(brand_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("brand", brand_id))?;
    let sellers = brand_seller::Entity::find()
        .filter(brand_seller::Column::BrandId.eq(brand_id))
        .order_by_asc(brand_seller::Column::SellerId)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.seller_id)
        .collect();
    BrandView::from_row(row, sellers)
}

/// A page of brands in id (creation) order.
///
/// # Errors
/// Database errors.
pub async fn list_brands(
    db: &DatabaseConnection,
    page: &PageRequest,
) -> ServiceResult<Page<BrandView>> {
    let mut query = brand::Entity::find().order_by_asc(brand::Column::BrandId);
    if let Some(after) = &page.after {
        query = query.filter(brand::Column::BrandId.gt(after.as_str()));
    }
    let rows = query.limit(page.size + 1).all(db).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.brand_id.clone()).collect();
    let sellers = brand_seller::Entity::find()
        .filter(brand_seller::Column::BrandId.is_in(ids))
        .order_by_asc(brand_seller::Column::SellerId)
        .all(db)
        .await?;
    let views = rows
        .into_iter()
        .map(|row| {
            let mine = sellers
                .iter()
                .filter(|s| s.brand_id == row.brand_id)
                .map(|s| s.seller_id.clone())
                .collect();
            BrandView::from_row(row, mine)
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(page.page(views, |b| &b.brand_id))
}

/// Every brand, for building the screening catalogue.
///
/// # Errors
/// Database errors.
pub async fn load_brand_profiles(
    db: &DatabaseConnection,
) -> ServiceResult<Vec<crate::screening::BrandProfile>> {
    let rows = brand::Entity::find()
        .order_by_asc(brand::Column::BrandId)
        .all(db)
        .await?;
    let sellers = brand_seller::Entity::find().all(db).await?;
    let mut by_brand: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for s in sellers {
        by_brand.entry(s.brand_id).or_default().push(s.seller_id);
    }
    rows.into_iter()
        .map(|row| {
            let mine = by_brand.remove(&row.brand_id).unwrap_or_default();
            Ok(BrandView::from_row(row, mine)?.profile())
        })
        .collect()
}

/// Authorises `seller_id` for the brand; idempotent.
///
/// # Errors
/// `NOT_FOUND` for an unknown brand; database errors.
pub async fn authorize_seller(
    db: &DatabaseConnection,
    brand_id: &str,
    seller_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<BrandView> {
    let txn = begin_write(db).await?;
    get_brand(&txn, brand_id).await?;
    let inserted = brand_seller::Entity::insert(brand_seller::ActiveModel {
        brand_id: Set(brand_id.to_owned()),
        seller_id: Set(seller_id.to_owned()),
        created_at: Set(to_millis(now)),
    })
    .on_conflict(
        OnConflict::columns([
            brand_seller::Column::BrandId,
            brand_seller::Column::SellerId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted > 0 {
        touch(&txn, brand_id, now).await?;
    }
    let view = get_brand(&txn, brand_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Withdraws the authorisation; idempotent.
///
/// # Errors
/// `NOT_FOUND` for an unknown brand; database errors.
pub async fn revoke_seller(
    db: &DatabaseConnection,
    brand_id: &str,
    seller_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<BrandView> {
    let txn = begin_write(db).await?;
    get_brand(&txn, brand_id).await?;
    let deleted = brand_seller::Entity::delete_many()
        .filter(brand_seller::Column::BrandId.eq(brand_id))
        .filter(brand_seller::Column::SellerId.eq(seller_id))
        .exec(&txn)
        .await?;
    if deleted.rows_affected > 0 {
        touch(&txn, brand_id, now).await?;
    }
    let view = get_brand(&txn, brand_id).await?;
    txn.commit().await?;
    Ok(view)
}

async fn touch<C: ConnectionTrait>(
    db: &C,
    brand_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    brand::Entity::update_many()
        .col_expr(
            brand::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(to_millis(now)),
        )
        .filter(brand::Column::BrandId.eq(brand_id))
        .exec(db)
        .await?;
    Ok(())
}
