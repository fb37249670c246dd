//! What a resolver gets from the request: the viewer, the per-request loaders, the services.

use std::sync::Arc;

use async_graphql::Context;

use crate::loaders::Loaders;
use crate::services::Services;
use crate::viewer::Viewer;

/// Borrowed request context.
pub struct RequestCtx<'a> {
    /// The verified viewer (anonymous if `api` handed none).
    pub viewer: &'a Viewer,
    /// This request's DataLoaders (and its consents and audit batching).
    pub loaders: &'a Loaders,
    /// Shared services.
    pub services: &'a Arc<Services>,
}

static ANONYMOUS: std::sync::LazyLock<Viewer> = std::sync::LazyLock::new(Viewer::anonymous);

impl<'a> RequestCtx<'a> {
    /// Take the parts out of a resolver context.
    pub fn from(ctx: &'a Context<'_>) -> async_graphql::Result<Self> {
        let viewer = ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS);
        let services = ctx
            .data::<Arc<Services>>()
            .map_err(|_| crate::error::internal("schema built without services", "missing"))?;
        let loaders = ctx.data::<Loaders>().map_err(|_| {
            crate::error::internal("request prepared without loaders", "call schema::prepare")
        })?;
        Ok(Self {
            viewer,
            loaders,
            services,
        })
    }
}
