//! Schema of the reputation database. The runtime's outbox table comes first (see
//! [`super::Migrator`]); these are the service's own tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_integer_null, boolean, text};

#[derive(DeriveIden)]
enum Sellers {
    Table,
    SellerId,
    RequestId,
    DisplayName,
    LegalName,
    Email,
    Phone,
    AddressLines,
    City,
    Region,
    PostalCode,
    CountryCode,
    TradeRegisterName,
    TradeRegisterNumber,
    IdDocumentRef,
    PaymentAccountRef,
    SelfCertified,
    VerificationStatus,
    VerificationNote,
    VerifiedBySubject,
    VerifiedByRole,
    RegisteredBySubject,
    RegisteredByRole,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Violations {
    Table,
    ViolationKey,
    SellerId,
    CaseId,
    ListingId,
    Ground,
    Severity,
    State,
    DecidedAt,
    RecordedAt,
    RetractedAt,
    RetractReason,
    RecordedBySubject,
    RecordedByRole,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    InspectionId,
    RequestId,
    SellerId,
    Agency,
    Product,
    Batch,
    Result,
    InspectedAt,
    ReportRef,
    RecordedAt,
    RecordedBySubject,
    RecordedByRole,
}

#[derive(DeriveIden)]
enum Suspensions {
    Table,
    SuspensionId,
    SellerId,
    Origin,
    Reason,
    StartsAt,
    EndsAt,
    EndedAt,
    EndReason,
    CreatedBySubject,
    CreatedByRole,
}

/// Creates sellers, violations, inspections and suspensions with the indexes their queries use.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m0001_reputation_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sellers::Table)
                    .if_not_exists()
                    .col(text(Sellers::SellerId).primary_key())
                    .col(text(Sellers::RequestId).unique_key())
                    .col(text(Sellers::DisplayName))
                    .col(text(Sellers::LegalName))
                    .col(text(Sellers::Email))
                    .col(text(Sellers::Phone))
                    .col(text(Sellers::AddressLines))
                    .col(text(Sellers::City))
                    .col(text(Sellers::Region))
                    .col(text(Sellers::PostalCode))
                    .col(text(Sellers::CountryCode))
                    .col(text(Sellers::TradeRegisterName))
                    .col(text(Sellers::TradeRegisterNumber))
                    .col(text(Sellers::IdDocumentRef))
                    .col(text(Sellers::PaymentAccountRef))
                    .col(boolean(Sellers::SelfCertified))
                    .col(text(Sellers::VerificationStatus))
                    .col(text(Sellers::VerificationNote))
                    .col(text(Sellers::VerifiedBySubject))
                    .col(text(Sellers::VerifiedByRole))
                    .col(text(Sellers::RegisteredBySubject))
                    .col(text(Sellers::RegisteredByRole))
                    .col(big_integer(Sellers::CreatedAt))
                    .col(big_integer(Sellers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_sellers_country",
            Sellers::Table,
            Sellers::CountryCode,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Violations::Table)
                    .if_not_exists()
                    .col(text(Violations::ViolationKey).primary_key())
                    .col(text(Violations::SellerId))
                    .col(text(Violations::CaseId))
                    .col(text(Violations::ListingId))
                    .col(text(Violations::Ground))
                    .col(text(Violations::Severity))
                    .col(text(Violations::State))
                    .col(big_integer(Violations::DecidedAt))
                    .col(big_integer(Violations::RecordedAt))
                    .col(big_integer_null(Violations::RetractedAt))
                    .col(text(Violations::RetractReason))
                    .col(text(Violations::RecordedBySubject))
                    .col(text(Violations::RecordedByRole))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_violations_seller",
            Violations::Table,
            Violations::SellerId,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Inspections::Table)
                    .if_not_exists()
                    .col(text(Inspections::InspectionId).primary_key())
                    .col(text(Inspections::RequestId).unique_key())
                    .col(text(Inspections::SellerId))
                    .col(text(Inspections::Agency))
                    .col(text(Inspections::Product))
                    .col(text(Inspections::Batch))
                    .col(text(Inspections::Result))
                    .col(big_integer(Inspections::InspectedAt))
                    .col(text(Inspections::ReportRef))
                    .col(big_integer(Inspections::RecordedAt))
                    .col(text(Inspections::RecordedBySubject))
                    .col(text(Inspections::RecordedByRole))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_inspections_seller",
            Inspections::Table,
            Inspections::SellerId,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Suspensions::Table)
                    .if_not_exists()
                    .col(text(Suspensions::SuspensionId).primary_key())
                    .col(text(Suspensions::SellerId))
                    .col(text(Suspensions::Origin))
                    .col(text(Suspensions::Reason))
                    .col(big_integer(Suspensions::StartsAt))
                    .col(big_integer(Suspensions::EndsAt))
                    .col(big_integer_null(Suspensions::EndedAt))
                    .col(text(Suspensions::EndReason))
                    .col(text(Suspensions::CreatedBySubject))
                    .col(text(Suspensions::CreatedByRole))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_suspensions_seller",
            Suspensions::Table,
            Suspensions::SellerId,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Suspensions::Table.into_iden(),
            Inspections::Table.into_iden(),
            Violations::Table.into_iden(),
            Sellers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .create_index(
            Index::create()
                .name(name)
                .table(table)
                .col(column)
                .if_not_exists()
                .to_owned(),
        )
        .await
}
