//! `Viewer`: who the API thinks is asking.

use async_graphql::SimpleObject;

use crate::viewer::{Role, Viewer};

/// The verified viewer of this request.
#[derive(SimpleObject)]
#[graphql(name = "Viewer")]
pub struct ViewerInfo {
    /// Role.
    pub role: Role,
    /// The token's subject.
    pub subject: Option<String>,
    /// A caseworker's departments.
    pub departments: Vec<String>,
}

impl From<&Viewer> for ViewerInfo {
    fn from(v: &Viewer) -> Self {
        Self {
            role: v.role,
            subject: v.subject.clone(),
            departments: v.departments.clone(),
        }
    }
}
