//! Schema of the listing database (after the runtime's outbox table, see [`super::Migrator`]),
//! and the default prohibited vocabulary, shipped as data so that it can grow by RPC without a
//! release.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_integer_null, text};

use crate::screening::normalize::normalize;

#[derive(DeriveIden)]
enum Brands {
    Table,
    BrandId,
    RequestId,
    ContentDigest,
    DisplayName,
    Aliases,
    OwnerId,
    ReferencePrices,
    CreatedAt,
    UpdatedAt,
    CreatedBySubject,
    CreatedByRole,
}

#[derive(DeriveIden)]
enum BrandSellers {
    Table,
    BrandId,
    SellerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProhibitedTerms {
    Table,
    Normalized,
    Term,
    Language,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CounterfeitImages {
    Table,
    BrandId,
    PdqHash,
    Source,
    CreatedAt,
    CreatedBySubject,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    ListingId,
    SellerId,
    RequestId,
    ContentDigest,
    Title,
    Description,
    Category,
    PriceCurrency,
    PriceUnits,
    PriceNanos,
    ImageHashes,
    Screening,
    ScreeningVersion,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListingMeasures {
    Table,
    ListingId,
    Kind,
    MeasureKey,
    Reason,
    ImposedAt,
    LiftedAt,
    ImposedBySubject,
}

#[derive(DeriveIden)]
enum SellerSuspensions {
    Table,
    SellerId,
    SuspensionId,
    Reason,
    CreatedAt,
    LiftedAt,
}

/// The replica vocabulary every installation starts with: (term, BCP 47 language).
pub const DEFAULT_PROHIBITED_TERMS: &[(&str, &str)] = &[
    ("replica", "en"),
    ("replicas", "en"),
    ("1:1", "und"),
    ("AAA quality", "en"),
    ("AAA grade", "en"),
    ("AAA replica", "en"),
    ("mirror quality", "en"),
    ("mirror grade", "en"),
    ("mirror image quality", "en"),
    ("super fake", "en"),
    ("high copy", "en"),
    ("first copy", "en"),
    ("master copy", "en"),
    ("knockoff", "en"),
    ("unauthorized copy", "en"),
    ("高仿", "zh"),
    ("复刻", "zh"),
    ("复刻版", "zh"),
    ("原单", "zh"),
    ("A货", "zh"),
    ("超A", "zh"),
    ("精仿", "zh"),
    ("仿品", "zh"),
    ("一比一", "zh"),
    ("1比1", "zh"),
    ("顶级复刻", "zh"),
    ("高仿品", "zh"),
    ("복제품", "ko"),
    ("レプリカ", "ja"),
    ("スーパーコピー", "ja"),
];

/// Creates the listing service's tables and loads the default prohibited vocabulary.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m0001_listing_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Brands::Table)
                    .if_not_exists()
                    .col(text(Brands::BrandId).primary_key())
                    .col(text(Brands::RequestId).unique_key())
                    .col(text(Brands::ContentDigest))
                    .col(text(Brands::DisplayName))
                    .col(text(Brands::Aliases))
                    .col(text(Brands::OwnerId))
                    .col(text(Brands::ReferencePrices))
                    .col(big_integer(Brands::CreatedAt))
                    .col(big_integer(Brands::UpdatedAt))
                    .col(text(Brands::CreatedBySubject))
                    .col(text(Brands::CreatedByRole))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BrandSellers::Table)
                    .if_not_exists()
                    .col(text(BrandSellers::BrandId))
                    .col(text(BrandSellers::SellerId))
                    .col(big_integer(BrandSellers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(BrandSellers::BrandId)
                            .col(BrandSellers::SellerId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProhibitedTerms::Table)
                    .if_not_exists()
                    .col(text(ProhibitedTerms::Normalized).primary_key())
                    .col(text(ProhibitedTerms::Term))
                    .col(text(ProhibitedTerms::Language))
                    .col(big_integer(ProhibitedTerms::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CounterfeitImages::Table)
                    .if_not_exists()
                    .col(text(CounterfeitImages::BrandId))
                    .col(text(CounterfeitImages::PdqHash))
                    .col(text(CounterfeitImages::Source))
                    .col(big_integer(CounterfeitImages::CreatedAt))
                    .col(text(CounterfeitImages::CreatedBySubject))
                    .primary_key(
                        Index::create()
                            .col(CounterfeitImages::BrandId)
                            .col(CounterfeitImages::PdqHash),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Listings::Table)
                    .if_not_exists()
                    .col(text(Listings::ListingId).primary_key())
                    .col(text(Listings::SellerId))
                    .col(text(Listings::RequestId))
                    .col(text(Listings::ContentDigest))
                    .col(text(Listings::Title))
                    .col(text(Listings::Description))
                    .col(text(Listings::Category))
                    .col(text(Listings::PriceCurrency))
                    .col(big_integer(Listings::PriceUnits))
                    .col(big_integer(Listings::PriceNanos))
                    .col(text(Listings::ImageHashes))
                    .col(text(Listings::Screening))
                    .col(big_integer(Listings::ScreeningVersion))
                    .col(text(Listings::Status))
                    .col(big_integer(Listings::CreatedAt))
                    .col(big_integer(Listings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_listings_seller_request")
                    .table(Listings::Table)
                    .col(Listings::SellerId)
                    .col(Listings::RequestId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_listings_status")
                    .table(Listings::Table)
                    .col(Listings::Status)
                    .col(Listings::ListingId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ListingMeasures::Table)
                    .if_not_exists()
                    .col(text(ListingMeasures::ListingId))
                    .col(text(ListingMeasures::Kind))
                    .col(text(ListingMeasures::MeasureKey))
                    .col(text(ListingMeasures::Reason))
                    .col(big_integer(ListingMeasures::ImposedAt))
                    .col(big_integer_null(ListingMeasures::LiftedAt))
                    .col(text(ListingMeasures::ImposedBySubject))
                    .primary_key(
                        Index::create()
                            .col(ListingMeasures::ListingId)
                            .col(ListingMeasures::Kind)
                            .col(ListingMeasures::MeasureKey),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_listing_measures_key")
                    .table(ListingMeasures::Table)
                    .col(ListingMeasures::Kind)
                    .col(ListingMeasures::MeasureKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SellerSuspensions::Table)
                    .if_not_exists()
                    .col(text(SellerSuspensions::SellerId))
                    .col(text(SellerSuspensions::SuspensionId))
                    .col(text(SellerSuspensions::Reason))
                    .col(big_integer(SellerSuspensions::CreatedAt))
                    .col(big_integer_null(SellerSuspensions::LiftedAt))
                    .primary_key(
                        Index::create()
                            .col(SellerSuspensions::SellerId)
                            .col(SellerSuspensions::SuspensionId),
                    )
                    .to_owned(),
            )
            .await?;

        let mut insert = Query::insert();
        insert.into_table(ProhibitedTerms::Table).columns([
            ProhibitedTerms::Normalized,
            ProhibitedTerms::Term,
            ProhibitedTerms::Language,
            ProhibitedTerms::CreatedAt,
        ]);
        for (term, language) in DEFAULT_PROHIBITED_TERMS {
            insert
                .values([
                    normalize(term).into(),
                    (*term).into(),
                    (*language).into(),
                    0_i64.into(),
                ])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        insert.on_conflict(
            OnConflict::column(ProhibitedTerms::Normalized)
                .do_nothing()
                .to_owned(),
        );
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SellerSuspensions::Table)
                    .table(ListingMeasures::Table)
                    .table(Listings::Table)
                    .table(CounterfeitImages::Table)
                    .table(ProhibitedTerms::Table)
                    .table(BrandSellers::Table)
                    .table(Brands::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_terms_normalise_to_distinct_non_empty_forms() {
        let mut forms: Vec<String> = DEFAULT_PROHIBITED_TERMS
            .iter()
            .map(|(t, _)| normalize(t))
            .collect();
        assert!(forms.iter().all(|f| !f.is_empty()));
        forms.sort();
        forms.dedup();
        assert_eq!(forms.len(), DEFAULT_PROHIBITED_TERMS.len());
    }
}
