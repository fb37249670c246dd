//! An extension that gives parse and validation errors a stable `extensions.code`.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

/// Codes of errors raised before execution.
pub const PRE_EXECUTION_CODES: &[&str] = &[
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COMPLEX",
    crate::limits::TOO_MANY_ALIASES,
    crate::limits::TOO_MANY_ROOT_FIELDS,
    crate::limits::TOO_MANY_DIRECTIVES,
    crate::limits::INTROSPECTION_DISABLED,
];

/// Factory for [`ErrorCodesExtension`].
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

/// Adds codes to parse and validation errors.
pub struct ErrorCodesExtension;

/// Set `code` unless the error already has one (the [`crate::limits`] refusals do).
fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let mut ext = error.extensions.take().unwrap_or_default();
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    error.extensions = Some(ext);
    error
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let code = if e.message.contains("nested too deep") {
                        "QUERY_TOO_DEEP"
                    } else if e.message.contains("too complex") {
                        "QUERY_TOO_COMPLEX"
                    } else {
                        "GRAPHQL_VALIDATION_FAILED"
                    };
                    with_code(e, code)
                })
                .collect()
        })
    }
}
