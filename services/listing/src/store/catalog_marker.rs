//! A cheap fingerprint of everything the screening catalogue is built from, so that the periodic
//! reload rebuilds only when another replica (or this one) changed something.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QuerySelect};

use super::entities::{brand, brand_seller, counterfeit_image, prohibited_term};
use genuine_runtime::errors::ServiceResult;

/// Row counts and latest change times of the catalogue's tables. Terms and hashes are only ever
/// added, so their counts change with every change; brands change in place (aliases, prices,
/// authorised sellers) and each change moves the brand's `updated_at` to the change's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogMarker {
    brands: i64,
    latest_brand_change: Option<i64>,
    authorisations: i64,
    terms: i64,
    hashes: i64,
}

/// The catalogue's marker now: four small aggregate queries (index-only on PostgreSQL for the
/// counts of narrow tables).
///
/// # Errors
/// Database errors.
pub async fn catalog_marker(db: &DatabaseConnection) -> ServiceResult<CatalogMarker> {
    let (brands, latest_brand_change): (i64, Option<i64>) = brand::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "rows")
        .column_as(brand::Column::UpdatedAt.max(), "latest")
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    Ok(CatalogMarker {
        brands,
        latest_brand_change,
        authorisations: rows::<brand_seller::Entity>(db).await?,
        terms: rows::<prohibited_term::Entity>(db).await?,
        hashes: rows::<counterfeit_image::Entity>(db).await?,
    })
}

async fn rows<E: EntityTrait>(db: &DatabaseConnection) -> ServiceResult<i64> {
    let count: Option<i64> = E::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "rows")
        .into_tuple()
        .one(db)
        .await?;
    Ok(count.unwrap_or(0))
}
