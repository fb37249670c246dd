//! The aktindsigt bundle and its delivery: one `bundle` row per request and version (the PDF is
//! a blob in the content-addressed store), one `delivery` row per message sent for it.

use sea_orm_migration::prelude::*;

/// Creates `bundle` and `delivery`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bundle {
    Table,
    RequestId,
    Version,
    BlobHash,
    Pages,
    Bytes,
    CreatedAt,
    Summary,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    RequestId,
    Version,
    MessageUuid,
    Transport,
    State,
    Attempts,
    CreatedAt,
    SentAt,
    Error,
    Receipt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Bundle::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Bundle::RequestId).string_len(64).not_null())
                    .col(ColumnDef::new(Bundle::Version).integer().not_null())
                    .col(ColumnDef::new(Bundle::BlobHash).string_len(64).not_null())
                    .col(ColumnDef::new(Bundle::Pages).integer().not_null())
                    .col(ColumnDef::new(Bundle::Bytes).big_integer().not_null())
                    .col(
                        ColumnDef::new(Bundle::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Bundle::Summary).text().not_null())
                    .primary_key(Index::create().col(Bundle::RequestId).col(Bundle::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Delivery::RequestId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Delivery::Version).integer().not_null())
                    .col(
                        ColumnDef::new(Delivery::MessageUuid)
                            .string_len(36)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Delivery::Transport)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Delivery::State).string_len(16).not_null())
                    .col(ColumnDef::new(Delivery::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(Delivery::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Delivery::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Delivery::Error).text().null())
                    .col(ColumnDef::new(Delivery::Receipt).text().null())
                    .col(
                        ColumnDef::new(Delivery::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Delivery::RequestId)
                            .col(Delivery::Version),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Delivery::Table).if_exists().to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Bundle::Table).if_exists().to_owned())
            .await
    }
}
