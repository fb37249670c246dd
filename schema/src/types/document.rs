//! `Document`.

use std::sync::Arc;

use async_graphql::{ID, Object};
use chrono::NaiveDate;

use super::case::CaseNode;
use super::enums::{DocumentKind, Sensitivity};
use crate::ids::GlobalId;

/// A document (akt) on a case.
#[derive(Clone)]
pub struct DocumentNode {
    /// The case it belongs to (already checked visible).
    pub case: Arc<connectors::Case>,
    /// The document.
    pub document: Arc<connectors::Document>,
}

#[Object(name = "Document")]
impl DocumentNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::Document {
            system: self.document.system.to_string(),
            case_local_id: self.document.case_local_id.clone(),
            local_id: self.document.local_id.clone(),
        }
        .encode())
    }
    /// The system's own id for the document.
    async fn local_id(&self) -> &str {
        &self.document.local_id
    }
    /// Aktnummer: running number on the case.
    async fn aktnummer(&self) -> u32 {
        self.document.aktnummer
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.document.title
    }
    /// Kind.
    async fn kind(&self) -> DocumentKind {
        self.document.kind.into()
    }
    /// Letter date (brevdato).
    async fn letter_date(&self) -> Option<NaiveDate> {
        self.document.letter_date
    }
    /// MIME type of the content.
    async fn mime_type(&self) -> &str {
        &self.document.mime_type
    }
    /// Size in bytes, where the system says.
    async fn size(&self) -> Option<u64> {
        self.document.size
    }
    /// Sensitivity.
    async fn sensitivity(&self) -> Sensitivity {
        self.document.sensitivity.into()
    }
    /// The case the document is on.
    async fn case(&self) -> CaseNode {
        CaseNode(self.case.clone())
    }
}
