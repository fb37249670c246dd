//! The `CaseSystem` trait every connector implements.

use async_trait::async_trait;

use crate::Result;
use crate::model::{
    Case, ChangePage, Content, Document, Health, PartyKey, SearchQuery, SystemId, SystemKind,
};

/// One case system, reached over its own protocol.
///
/// Object-safe (`Arc<dyn CaseSystem>`). Every read takes many keys at once so DataLoaders can
/// batch; an implementation makes one backend call (or one paginated walk) per method call, never
/// one per key, where the backend offers a batch form.
#[async_trait]
pub trait CaseSystem: Send + Sync + 'static {
    /// The configured id.
    fn id(&self) -> &SystemId;
    /// The protocol family.
    fn kind(&self) -> SystemKind;
    /// Every case where any of `parties` is a party (primary or secondary).
    async fn cases_for_parties(&self, parties: &[PartyKey]) -> Result<Vec<Case>>;
    /// The cases with these local ids; unknown ids are left out.
    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<Case>>;
    /// The documents of these cases (by case local id), in aktnummer order per case.
    async fn documents_of_cases(&self, case_ids: &[String]) -> Result<Vec<Document>>;
    /// The content of one document, refused with [`crate::Error::TooLarge`] past `max_bytes`.
    async fn content(&self, document_id: &str, max_bytes: u64) -> Result<Content>;
    /// Cases matching a search.
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Case>>;
    /// Changes since `cursor` (`None`: from the beginning), at most `limit`.
    async fn changes_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage>;
    /// Probe the system.
    async fn health(&self) -> Health;
}
