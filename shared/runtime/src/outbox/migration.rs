//! The `outbox` table: one durable work queue for messages to other services and for deadlines.
//! Every service lists [`OutboxMigration`] in its own `Migrator`, so the queue lives in the same
//! database as the state changes that fill it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, blob, integer, string_len, text, text_null,
};

/// Column names of the `outbox` table.
#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Kind,
    Key,
    Payload,
    TraceParent,
    Status,
    Attempts,
    DueAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    FinishedAt,
}

/// Creates the `outbox` table and the indexes its claim query and idempotency rely on.
/// Times are BIGINT milliseconds from the injectable clock, identical on SQLite and PostgreSQL.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxMigration;

impl MigrationName for OutboxMigration {
    fn name(&self) -> &str {
        // Named apart from any service's own migrations, and sorting before them.
        "m0000_runtime_create_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OutboxMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Outbox::Id))
                    .col(text(Outbox::Kind))
                    .col(text(Outbox::Key))
                    .col(blob(Outbox::Payload))
                    .col(text_null(Outbox::TraceParent))
                    .col(string_len(Outbox::Status, 16))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(big_integer(Outbox::DueAt))
                    .col(big_integer_null(Outbox::ClaimedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(big_integer(Outbox::CreatedAt))
                    .col(big_integer_null(Outbox::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_kind_key")
                    .table(Outbox::Table)
                    .col(Outbox::Kind)
                    .col(Outbox::Key)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_status_due_at")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::DueAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).if_exists().to_owned())
            .await
    }
}
