//! Known-counterfeit image hashes, unique per brand.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::brands::get_brand;
use super::entities::counterfeit_image;
use crate::screening::{ImageSetBuilder, PdqHash};

/// A hash to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCounterfeitImage {
    pub hash: PdqHash,
}

/// Adds hashes for `brand_id` (one transaction); answers the hashes that were new.
///
/// # Errors
/// `NOT_FOUND` for an unknown brand; database errors.
pub async fn add_counterfeit_images(
    db: &DatabaseConnection,
    brand_id: &str,
    images: &[NewCounterfeitImage],
    source: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<PdqHash>> {
    let txn = begin_write(db).await?;
    get_brand(&txn, brand_id).await?;
    let mut added = Vec::new();
    for image in images {
        let inserted = counterfeit_image::Entity::insert(counterfeit_image::ActiveModel {
            brand_id: Set(brand_id.to_owned()),
            pdq_hash: Set(image.hash.to_hex()),
            source: Set(source.to_owned()),
            created_at: Set(to_millis(now)),
            created_by_subject: Set(subject.to_owned()),
        })
        .on_conflict(
            OnConflict::columns([
                counterfeit_image::Column::BrandId,
                counterfeit_image::Column::PdqHash,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted > 0 {
            added.push(image.hash);
        }
    }
    txn.commit().await?;
    Ok(added)
}

/// Every known hash with its brand into `images`, in batches of two columns, each batch after
/// the last key of the one before (no OFFSET re-scan), so that a million rows need neither one
/// huge result set nor a string kept per row.
///
/// # Errors
/// Database errors; a stored hash that does not parse (a bug).
pub async fn load_counterfeit_images(
    db: &DatabaseConnection,
    images: &mut ImageSetBuilder,
) -> ServiceResult<()> {
    load_in_batches(db, images, 50_000).await
}

pub(super) async fn load_in_batches(
    db: &DatabaseConnection,
    images: &mut ImageSetBuilder,
    batch: u64,
) -> ServiceResult<()> {
    let mut after: Option<(String, String)> = None;
    loop {
        let mut query = counterfeit_image::Entity::find()
            .select_only()
            .column(counterfeit_image::Column::BrandId)
            .column(counterfeit_image::Column::PdqHash)
            .order_by_asc(counterfeit_image::Column::BrandId)
            .order_by_asc(counterfeit_image::Column::PdqHash)
            .limit(batch);
        if let Some((brand, hash)) = after.take() {
            query = query.filter(
                Condition::any()
                    .add(counterfeit_image::Column::BrandId.gt(brand.clone()))
                    .add(
                        Condition::all()
                            .add(counterfeit_image::Column::BrandId.eq(brand))
                            .add(counterfeit_image::Column::PdqHash.gt(hash)),
                    ),
            );
        }
        let rows: Vec<(String, String)> = query.into_tuple().all(db).await?;
        let done = (rows.len() as u64) < batch;
        for (brand, hash) in &rows {
            images.push(
                PdqHash::from_hex(hash).map_err(ServiceError::internal)?,
                brand,
            );
        }
        if done {
            return Ok(());
        }
        after = rows.into_iter().next_back();
    }
}
