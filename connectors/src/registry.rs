//! The configured case systems, in configuration order.

use std::sync::Arc;

use crate::model::SystemId;
use crate::system::CaseSystem;

/// One registered system and its human name.
#[derive(Clone)]
pub struct Entry {
    /// The connector (already wrapped in resilience when built from configuration).
    pub system: Arc<dyn CaseSystem>,
    /// Human name for operators.
    pub name: String,
}

/// The set of case systems the hub reads.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// A registry of already-built systems (tests, embedding).
    pub fn new(entries: Vec<Entry>) -> Self {
        Self { entries }
    }
    /// Every system, in configuration order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    /// Every system's connector.
    pub fn systems(&self) -> impl Iterator<Item = &Arc<dyn CaseSystem>> {
        self.entries.iter().map(|e| &e.system)
    }
    /// The system with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn CaseSystem>> {
        self.entries.iter().find(|e| e.system.id().as_str() == id).map(|e| &e.system)
    }
    /// The ids, in order.
    pub fn ids(&self) -> Vec<SystemId> {
        self.entries.iter().map(|e| e.system.id().clone()).collect()
    }
}
