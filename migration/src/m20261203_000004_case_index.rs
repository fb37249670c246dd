//! The case index: one row per case of every system, its parties, each system's sync state,
//! and the full-text index over them (FTS5 on SQLite, a `tsvector` with the `danish`
//! configuration on PostgreSQL).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Creates `case_index`, `case_index_party`, `index_sync` and the full-text index.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseIndex {
    Table,
    Id,
    SystemId,
    LocalId,
    Sagsnummer,
    SagsnummerKey,
    Title,
    Kle,
    KleLabel,
    Handlingsfacet,
    Department,
    Status,
    Sensitivity,
    Opened,
    Closed,
    ResponsibleUnit,
    Caseworker,
    SourceUpdatedAt,
    IndexedAt,
    PartyNames,
    DocumentTitles,
    Parties,
}

#[derive(DeriveIden)]
enum CaseIndexParty {
    Table,
    CaseId,
    PartyKey,
    Name,
    Role,
}

#[derive(DeriveIden)]
enum IndexSync {
    Table,
    SystemId,
    Cursor,
    FullSyncDone,
    LastSyncAt,
    LastSuccessAt,
    LastError,
    IndexedCount,
    ChangesApplied,
    UpdatedAt,
}

/// SQLite: a contentless FTS5 table keyed by `case_index.id`, fed by the hub with already
/// lower-cased and stemmed text (`schema::services::index::text`); deletes are allowed
/// (`contentless_delete`, SQLite ≥ 3.43). Prefix indexes for 2 and 3 characters keep prefix
/// queries on short terms cheap.
const SQLITE_FTS: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS case_index_fts USING fts5(\
     title, sagsnummer, kle, parties, documents, \
     content='', contentless_delete=1, tokenize=\"unicode61 remove_diacritics 0\", prefix='2 3')";

/// PostgreSQL: the `danish` configuration (Snowball stemming, Danish stop words) over every
/// field, plus `simple` (lower-cased, unstemmed) over title, parties and KLE label so that a
/// prefix of an unstemmed word still matches; weights A (title) to D (document titles).
const PG_VECTOR: &str = "ALTER TABLE case_index ADD COLUMN IF NOT EXISTS search_vector tsvector \
     GENERATED ALWAYS AS (\
     setweight(to_tsvector('danish', title), 'A') || setweight(to_tsvector('simple', title), 'A') || \
     setweight(to_tsvector('danish', party_names), 'B') || setweight(to_tsvector('simple', party_names), 'B') || \
     setweight(to_tsvector('simple', sagsnummer), 'C') || \
     setweight(to_tsvector('danish', kle_label), 'C') || setweight(to_tsvector('simple', kle_label), 'C') || \
     setweight(to_tsvector('danish', document_titles), 'D')) STORED";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CaseIndex::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CaseIndex::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CaseIndex::SystemId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseIndex::LocalId).string().not_null())
                    .col(ColumnDef::new(CaseIndex::Sagsnummer).string().not_null())
                    .col(ColumnDef::new(CaseIndex::SagsnummerKey).string().not_null())
                    .col(ColumnDef::new(CaseIndex::Title).text().not_null())
                    .col(ColumnDef::new(CaseIndex::Kle).string_len(16).not_null())
                    .col(ColumnDef::new(CaseIndex::KleLabel).text().not_null())
                    .col(
                        ColumnDef::new(CaseIndex::Handlingsfacet)
                            .string_len(16)
                            .null(),
                    )
                    .col(ColumnDef::new(CaseIndex::Department).string().not_null())
                    .col(ColumnDef::new(CaseIndex::Status).string_len(16).not_null())
                    .col(ColumnDef::new(CaseIndex::Sensitivity).integer().not_null())
                    .col(ColumnDef::new(CaseIndex::Opened).date().not_null())
                    .col(ColumnDef::new(CaseIndex::Closed).date().null())
                    .col(ColumnDef::new(CaseIndex::ResponsibleUnit).string().null())
                    .col(ColumnDef::new(CaseIndex::Caseworker).string().null())
                    .col(
                        ColumnDef::new(CaseIndex::SourceUpdatedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CaseIndex::IndexedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseIndex::PartyNames).text().not_null())
                    .col(ColumnDef::new(CaseIndex::DocumentTitles).text().not_null())
                    .col(ColumnDef::new(CaseIndex::Parties).text().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_case_index_system_local",
                vec![CaseIndex::SystemId, CaseIndex::LocalId],
                true,
            ),
            (
                "ix_case_index_sagsnummer",
                vec![CaseIndex::SagsnummerKey],
                false,
            ),
            (
                "ix_case_index_department",
                vec![CaseIndex::Department, CaseIndex::Sensitivity],
                false,
            ),
            ("ix_case_index_kle", vec![CaseIndex::Kle], false),
            ("ix_case_index_opened", vec![CaseIndex::Opened], false),
        ] {
            let mut index = Index::create();
            index.name(name).table(CaseIndex::Table).if_not_exists();
            for c in cols {
                index.col(c);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(CaseIndexParty::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CaseIndexParty::CaseId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CaseIndexParty::PartyKey)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseIndexParty::Name).string().not_null())
                    .col(
                        ColumnDef::new(CaseIndexParty::Role)
                            .string_len(16)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CaseIndexParty::CaseId)
                            .col(CaseIndexParty::PartyKey),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_index_party_key")
                    .table(CaseIndexParty::Table)
                    .col(CaseIndexParty::PartyKey)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndexSync::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(IndexSync::SystemId)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(IndexSync::Cursor).text().null())
                    .col(ColumnDef::new(IndexSync::FullSyncDone).boolean().not_null())
                    .col(
                        ColumnDef::new(IndexSync::LastSyncAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IndexSync::LastSuccessAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(IndexSync::LastError).text().null())
                    .col(
                        ColumnDef::new(IndexSync::IndexedCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IndexSync::ChangesApplied)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IndexSync::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(SQLITE_FTS).await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared(PG_VECTOR).await?;
                db.execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS ix_case_index_search ON case_index USING GIN (search_vector)",
                )
                .await?;
            }
            DbBackend::MySql => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS case_index_fts")
                .await?;
        }
        for table in [
            IndexSync::Table.into_iden(),
            CaseIndexParty::Table.into_iden(),
            CaseIndex::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
