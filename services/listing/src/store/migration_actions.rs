//! The action generation of case measures (added after the first schema): the last enforcement
//! action applied to a (listing, case) measure, so that a newer action of the same case applies
//! and a late duplicate of an older one does not undo it.

use sea_orm_migration::prelude::*;

/// Adds `action_id` and `action_generation` to `listing_measures`.
#[derive(Debug, Clone, Copy)]
pub struct MeasureActions;

impl MigrationName for MeasureActions {
    fn name(&self) -> &str {
        "m0002_listing_measure_actions"
    }
}

#[derive(DeriveIden)]
enum ListingMeasures {
    Table,
    ActionId,
    ActionGeneration,
}

#[async_trait::async_trait]
impl MigrationTrait for MeasureActions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(ListingMeasures::Table)
                    .add_column(ColumnDef::new(ListingMeasures::ActionId).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ListingMeasures::Table)
                    .add_column(
                        ColumnDef::new(ListingMeasures::ActionGeneration)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ListingMeasures::ActionGeneration, ListingMeasures::ActionId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ListingMeasures::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
