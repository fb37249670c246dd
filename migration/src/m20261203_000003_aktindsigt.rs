//! The aktindsigt workflow: requests, what was collected for them, findings, manual redactions,
//! and the durable job queue.

use sea_orm_migration::prelude::*;

/// Creates `access_request`, `request_system`, `request_case`, `request_document`, `finding`,
/// `manual_redaction`, `job` and `job_run`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessRequest {
    Table,
    Id,
    IdempotencyKey,
    RequesterSubject,
    RequesterRole,
    RequesterName,
    SubjectCpr,
    ConsentId,
    LegalBasis,
    Scope,
    State,
    Incomplete,
    GapAcceptedReason,
    GapAcceptedBy,
    Automation,
    Departments,
    AssigneeSubject,
    ReceivedAt,
    Deadline,
    NoticeExpectedBy,
    NoticeReason,
    NoticeSentAt,
    DecidedAt,
    DecidedBy,
    DecisionNote,
    AutoReleased,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RequestSystem {
    Table,
    RequestId,
    System,
    State,
    Error,
    Cases,
    Documents,
    Attempts,
    CollectedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RequestCase {
    Table,
    RequestId,
    System,
    LocalId,
    Sagsnummer,
    Title,
    Kle,
    Handlingsfacet,
    Department,
    Sensitivity,
    Snapshot,
}

#[derive(DeriveIden)]
enum RequestDocument {
    Table,
    Id,
    RequestId,
    System,
    LocalId,
    CaseLocalId,
    Aktnummer,
    Title,
    Kind,
    LetterDate,
    MimeType,
    Sensitivity,
    BlobHash,
    BlobSize,
    Screened,
    ExtractError,
    NeedsManualReview,
    ReviewNotes,
    PageCount,
    Misfiled,
    MisfilingReason,
    Summary,
    ProposedDisclosure,
    ProposedGround,
    ProposedRule,
    ProposalNote,
    Disclosure,
    Ground,
    Note,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Finding {
    Table,
    Id,
    RequestId,
    DocumentId,
    Ordinal,
    Category,
    AttentionKind,
    Owner,
    CharStart,
    CharEnd,
    Text,
    Confidence,
    Reason,
    Page,
    Boxes,
    ContextBefore,
    ContextAfter,
    Proposal,
    Decision,
    Ground,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum ManualRedaction {
    Table,
    Id,
    RequestId,
    DocumentId,
    Page,
    X0,
    Y0,
    X1,
    Y1,
    Ground,
    Note,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden)]
enum Job {
    Table,
    Id,
    Kind,
    RequestId,
    Payload,
    DedupeKey,
    State,
    Attempts,
    MaxAttempts,
    RunAfter,
    LeaseOwner,
    LeaseExpiresAt,
    ProgressDone,
    ProgressTotal,
    ProgressNote,
    LastError,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum JobRun {
    Table,
    JobId,
    Attempt,
    Worker,
    StartedAt,
    FinishedAt,
    Outcome,
    Error,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(64).not_null().to_owned()
}
fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}
fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}
fn short(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(32).not_null().to_owned()
}
fn short_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(32).null().to_owned()
}
fn string(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().to_owned()
}
fn string_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}
fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().to_owned()
}
fn int_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().null().to_owned()
}
fn flag(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).boolean().not_null().to_owned()
}
fn double(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).double().not_null().to_owned()
}
fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn at_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.if_not_exists().name(name).table(table);
    for c in cols {
        idx.col(c);
    }
    if unique {
        idx.unique();
    }
    manager.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AccessRequest as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .if_not_exists()
                    .col(id(R::Id).primary_key())
                    .col(string_null(R::IdempotencyKey))
                    .col(string(R::RequesterSubject))
                    .col(short(R::RequesterRole))
                    .col(string_null(R::RequesterName))
                    .col(ColumnDef::new(R::SubjectCpr).string_len(10).not_null())
                    .col(string_null(R::ConsentId))
                    .col(short(R::LegalBasis))
                    .col(text_null(R::Scope))
                    .col(short(R::State))
                    .col(flag(R::Incomplete))
                    .col(text_null(R::GapAcceptedReason))
                    .col(string_null(R::GapAcceptedBy))
                    .col(short_null(R::Automation))
                    .col(text(R::Departments))
                    .col(string_null(R::AssigneeSubject))
                    .col(at(R::ReceivedAt))
                    .col(ColumnDef::new(R::Deadline).date().not_null())
                    .col(ColumnDef::new(R::NoticeExpectedBy).date().null())
                    .col(text_null(R::NoticeReason))
                    .col(at_null(R::NoticeSentAt))
                    .col(at_null(R::DecidedAt))
                    .col(string_null(R::DecidedBy))
                    .col(text_null(R::DecisionNote))
                    .col(flag(R::AutoReleased))
                    .col(at(R::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_request_idempotency",
            R::Table,
            vec![
                R::RequesterSubject.into_iden(),
                R::IdempotencyKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_request_state",
            R::Table,
            vec![R::State.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_request_subject",
            R::Table,
            vec![R::SubjectCpr.into_iden()],
            false,
        )
        .await?;

        use RequestSystem as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .if_not_exists()
                    .col(id(S::RequestId))
                    .col(id(S::System))
                    .col(short(S::State))
                    .col(text_null(S::Error))
                    .col(int(S::Cases))
                    .col(int(S::Documents))
                    .col(int(S::Attempts))
                    .col(at_null(S::CollectedAt))
                    .col(at(S::UpdatedAt))
                    .primary_key(Index::create().col(S::RequestId).col(S::System))
                    .to_owned(),
            )
            .await?;

        use RequestCase as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .if_not_exists()
                    .col(id(C::RequestId))
                    .col(id(C::System))
                    .col(ColumnDef::new(C::LocalId).string_len(128).not_null())
                    .col(string(C::Sagsnummer))
                    .col(text(C::Title))
                    .col(short(C::Kle))
                    .col(short_null(C::Handlingsfacet))
                    .col(string(C::Department))
                    .col(short(C::Sensitivity))
                    .col(text(C::Snapshot))
                    .primary_key(
                        Index::create()
                            .col(C::RequestId)
                            .col(C::System)
                            .col(C::LocalId),
                    )
                    .to_owned(),
            )
            .await?;

        use RequestDocument as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .if_not_exists()
                    .col(id(D::Id).primary_key())
                    .col(id(D::RequestId))
                    .col(id(D::System))
                    .col(ColumnDef::new(D::LocalId).string_len(128).not_null())
                    .col(ColumnDef::new(D::CaseLocalId).string_len(128).not_null())
                    .col(int(D::Aktnummer))
                    .col(text(D::Title))
                    .col(short(D::Kind))
                    .col(ColumnDef::new(D::LetterDate).date().null())
                    .col(string(D::MimeType))
                    .col(short(D::Sensitivity))
                    .col(ColumnDef::new(D::BlobHash).string_len(64).not_null())
                    .col(ColumnDef::new(D::BlobSize).big_integer().not_null())
                    .col(flag(D::Screened))
                    .col(text_null(D::ExtractError))
                    .col(flag(D::NeedsManualReview))
                    .col(text(D::ReviewNotes))
                    .col(int_null(D::PageCount))
                    .col(flag(D::Misfiled))
                    .col(text_null(D::MisfilingReason))
                    .col(text_null(D::Summary))
                    .col(short_null(D::ProposedDisclosure))
                    .col(short_null(D::ProposedGround))
                    .col(string_null(D::ProposedRule))
                    .col(text_null(D::ProposalNote))
                    .col(short_null(D::Disclosure))
                    .col(short_null(D::Ground))
                    .col(text_null(D::Note))
                    .col(string_null(D::DecidedBy))
                    .col(at_null(D::DecidedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_document_request",
            D::Table,
            vec![
                D::RequestId.into_iden(),
                D::System.into_iden(),
                D::LocalId.into_iden(),
            ],
            true,
        )
        .await?;

        use Finding as F;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(F::Id)
                            .string_len(80)
                            .not_null()
                            .primary_key(),
                    )
                    .col(id(F::RequestId))
                    .col(id(F::DocumentId))
                    .col(int(F::Ordinal))
                    .col(short(F::Category))
                    .col(short_null(F::AttentionKind))
                    .col(short(F::Owner))
                    .col(int(F::CharStart))
                    .col(int(F::CharEnd))
                    .col(text(F::Text))
                    .col(double(F::Confidence))
                    .col(string(F::Reason))
                    .col(int_null(F::Page))
                    .col(text(F::Boxes))
                    .col(text(F::ContextBefore))
                    .col(text(F::ContextAfter))
                    .col(short(F::Proposal))
                    .col(short_null(F::Decision))
                    .col(short_null(F::Ground))
                    .col(string_null(F::DecidedBy))
                    .col(at_null(F::DecidedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_finding_document",
            F::Table,
            vec![F::DocumentId.into_iden(), F::Ordinal.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_finding_request",
            F::Table,
            vec![F::RequestId.into_iden()],
            false,
        )
        .await?;

        use ManualRedaction as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .if_not_exists()
                    .col(id(M::Id).primary_key())
                    .col(id(M::RequestId))
                    .col(id(M::DocumentId))
                    .col(int(M::Page))
                    .col(double(M::X0))
                    .col(double(M::Y0))
                    .col(double(M::X1))
                    .col(double(M::Y1))
                    .col(short(M::Ground))
                    .col(text_null(M::Note))
                    .col(string(M::AddedBy))
                    .col(at(M::AddedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_manual_redaction_document",
            M::Table,
            vec![M::DocumentId.into_iden()],
            false,
        )
        .await?;

        use Job as J;
        manager
            .create_table(
                Table::create()
                    .table(J::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(J::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(short(J::Kind))
                    .col(ColumnDef::new(J::RequestId).string_len(64).null())
                    .col(text(J::Payload))
                    .col(ColumnDef::new(J::DedupeKey).string_len(190).null())
                    .col(short(J::State))
                    .col(int(J::Attempts))
                    .col(int(J::MaxAttempts))
                    .col(at(J::RunAfter))
                    .col(string_null(J::LeaseOwner))
                    .col(at_null(J::LeaseExpiresAt))
                    .col(int(J::ProgressDone))
                    .col(int(J::ProgressTotal))
                    .col(text_null(J::ProgressNote))
                    .col(text_null(J::LastError))
                    .col(at(J::CreatedAt))
                    .col(at(J::UpdatedAt))
                    .col(at_null(J::FinishedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_job_dedupe",
            J::Table,
            vec![J::DedupeKey.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_job_ready",
            J::Table,
            vec![J::State.into_iden(), J::RunAfter.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_job_request",
            J::Table,
            vec![J::RequestId.into_iden()],
            false,
        )
        .await?;

        use JobRun as JR;
        manager
            .create_table(
                Table::create()
                    .table(JR::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(JR::JobId).big_integer().not_null())
                    .col(int(JR::Attempt))
                    .col(string(JR::Worker))
                    .col(at(JR::StartedAt))
                    .col(at_null(JR::FinishedAt))
                    .col(short_null(JR::Outcome))
                    .col(text_null(JR::Error))
                    .primary_key(Index::create().col(JR::JobId).col(JR::Attempt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            JobRun::Table.into_iden(),
            Job::Table.into_iden(),
            ManualRedaction::Table.into_iden(),
            Finding::Table.into_iden(),
            RequestDocument::Table.into_iden(),
            RequestCase::Table.into_iden(),
            RequestSystem::Table.into_iden(),
            AccessRequest::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
