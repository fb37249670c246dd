//! `case_system_health`: the last probe of each case system.

use sea_orm_migration::prelude::*;

/// Creates `case_system_health`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseSystemHealth {
    Table,
    SystemId,
    Name,
    Kind,
    Up,
    LatencyMs,
    Detail,
    CircuitOpen,
    CheckedAt,
    LastUpAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CaseSystemHealth::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CaseSystemHealth::SystemId)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CaseSystemHealth::Name).string().not_null())
                    .col(
                        ColumnDef::new(CaseSystemHealth::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseSystemHealth::Up).boolean().not_null())
                    .col(
                        ColumnDef::new(CaseSystemHealth::LatencyMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseSystemHealth::Detail).text().null())
                    .col(
                        ColumnDef::new(CaseSystemHealth::CircuitOpen)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CaseSystemHealth::CheckedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CaseSystemHealth::LastUpAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CaseSystemHealth::Table).to_owned())
            .await
    }
}
