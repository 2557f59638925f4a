//! Retention of traceability data (added after the first schema): when the relationship with a
//! seller ended, and when its data was anonymised.

use sea_orm_migration::prelude::*;

/// Adds `closed_at` and `anonymized_at` to `sellers`.
#[derive(Debug, Clone, Copy)]
pub struct SellerRetention;

impl MigrationName for SellerRetention {
    fn name(&self) -> &str {
        "m0002_reputation_seller_retention"
    }
}

#[derive(DeriveIden)]
enum Sellers {
    Table,
    ClosedAt,
    AnonymizedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for SellerRetention {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        for column in [Sellers::ClosedAt, Sellers::AnonymizedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sellers::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Sellers::AnonymizedAt, Sellers::ClosedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sellers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
