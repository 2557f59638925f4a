//! Known-counterfeit image hashes, unique per brand.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, QueryOrder, QuerySelect};

use super::brands::get_brand;
use super::entities::counterfeit_image;
use crate::screening::PdqHash;

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

/// Every known hash with its brand, in batches so that millions of rows do not need one huge
/// result set.
///
/// # Errors
/// Database errors; a stored hash that does not parse (a bug).
pub async fn load_counterfeit_images(
    db: &DatabaseConnection,
) -> ServiceResult<Vec<(PdqHash, String)>> {
    const BATCH: u64 = 50_000;
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let rows = counterfeit_image::Entity::find()
            .order_by_asc(counterfeit_image::Column::BrandId)
            .order_by_asc(counterfeit_image::Column::PdqHash)
            .offset(offset)
            .limit(BATCH)
            .all(db)
            .await?;
        let done = (rows.len() as u64) < BATCH;
        offset += rows.len() as u64;
        for row in rows {
            out.push((
                PdqHash::from_hex(&row.pdq_hash).map_err(ServiceError::internal)?,
                row.brand_id,
            ));
        }
        if done {
            return Ok(out);
        }
    }
}
