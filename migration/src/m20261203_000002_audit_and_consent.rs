//! `audit_event` (append-only, hash-chained) and `consent`.

use sea_orm_migration::prelude::*;

/// Creates `audit_event` and `consent`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    OccurredAt,
    Actor,
    Role,
    Action,
    ObjectKind,
    ObjectId,
    Purpose,
    RequestId,
    ClientAddr,
    Outcome,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum Consent {
    Table,
    Id,
    CitizenCpr,
    GranteeSubject,
    GranteeName,
    Scope,
    ValidFrom,
    ValidUntil,
    RevokedAt,
    RegisteredBy,
    RegisteredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AuditEvent::Seq)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditEvent::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEvent::Actor).string().not_null())
                    .col(ColumnDef::new(AuditEvent::Role).string_len(32).not_null())
                    .col(ColumnDef::new(AuditEvent::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvent::ObjectKind).string_len(32).null())
                    .col(ColumnDef::new(AuditEvent::ObjectId).string_len(512).null())
                    .col(ColumnDef::new(AuditEvent::Purpose).text().null())
                    .col(ColumnDef::new(AuditEvent::RequestId).string_len(64).null())
                    .col(ColumnDef::new(AuditEvent::ClientAddr).string_len(64).null())
                    .col(
                        ColumnDef::new(AuditEvent::Outcome)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditEvent::PrevHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEvent::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_actor", AuditEvent::Actor),
            ("idx_audit_object", AuditEvent::ObjectId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(AuditEvent::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Consent::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Consent::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Consent::CitizenCpr)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Consent::GranteeSubject).string().not_null())
                    .col(ColumnDef::new(Consent::GranteeName).string().not_null())
                    .col(ColumnDef::new(Consent::Scope).text().not_null())
                    .col(
                        ColumnDef::new(Consent::ValidFrom)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Consent::ValidUntil)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Consent::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Consent::RegisteredBy).string().not_null())
                    .col(
                        ColumnDef::new(Consent::RegisteredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_consent_grantee")
                    .table(Consent::Table)
                    .col(Consent::GranteeSubject)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Consent::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await
    }
}
