//! Limits on a query's shape that async-graphql does not check itself, and the cost model for
//! fields that reach the case systems.
//!
//! # Shape
//! [`measure`] walks a parsed [`ExecutableDocument`] — each operation with the fragments it
//! reaches, every fragment followed once per operation, so a cycle ends the walk instead of
//! looping — and counts aliases, root fields, directives and whether it asks for introspection
//! (`__schema`/`__type`). [`ShapeLimits`], an extension that runs right after parsing (before
//! validation, so an abusive document costs no more than its parse), refuses a document in which
//! any operation is over a [`Limits`] bound, with these codes:
//!
//! | code | bound |
//! |---|---|
//! | `TOO_MANY_ALIASES` | [`Limits::max_aliases`] |
//! | `TOO_MANY_ROOT_FIELDS` | [`Limits::max_root_fields`] |
//! | `TOO_MANY_DIRECTIVES` | [`Limits::max_directives`] |
//! | `INTROSPECTION_DISABLED` | [`Limits::introspection_allowed`] for the viewer's role |
//!
//! Why the introspection check lives here: async-graphql's `disable_introspection` (on the
//! schema or the request) keeps `__schema` valid and just answers it with `null` and no error,
//! which a client cannot tell from an empty answer. Refusing before execution gives a code and,
//! under `application/graphql-response+json`, a 400.
//!
//! # Cost
//! async-graphql's complexity counts 1 per field plus its children. Fields that reach a case
//! system cost [`BACKEND_FIELD_COST`] more, and lists multiply their children by how many items
//! they may return:
//!
//! - [`connection_cost`]: `Query.myCases`, `Party.cases`, `Case.documents` — 10 + `first` (or
//!   100) × the selection of one item;
//! - [`list_cost`]: `Query.nodes` — 10 + the number of ids × the selection of one node;
//! - [`backend_field_cost`]: `Query.node`, `case`, `party`, `caseSystems` — 10 + the selection.
//!
//! Everything else (fields read from an object already fetched, and the store-backed fields)
//! keeps async-graphql's 1 + children. What the default [`Limits::max_complexity`] (2,000,000)
//! lets through:
//!
//! | query | complexity |
//! |---|---|
//! | `playground/examples/viewer.graphql` | 4 |
//! | `playground/examples/case_systems.graphql` | 19 |
//! | `playground/examples/my_cases.graphql` (20 cases × 50 documents) | 6,473 |
//! | `playground/examples/party_overview.graphql` (100 cases × default 100 documents) | 62,023 |
//! | `tests/blackbox/read_path.rs` `MY_CASES` (100 cases × 1000 documents) | 401,710 |
//! | `tests/blackbox/read_path.rs` `NESTED` (200 cases × 1000 documents, parties) | 1,203,821 |
//! | refused: `party { cases(first: 1000) { nodes { documents(first: 1000) { nodes { title } } } } }` | 2,011,020 |
//! | refused: the same with `case { documents(first: 1000) { nodes { title } } }` under each document | 2,013,011,020 |
//!
//! So two nested connections fit at portal page sizes and up to about 200 × 1000; full pages on
//! both levels, or a third level of connections, do not. The unit tests below check these numbers.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Pos, Positioned, ServerError, ServerResult, Variables};

use crate::Limits;
use crate::viewer::{Role, Viewer};

/// Code for more aliases than [`Limits::max_aliases`].
pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
/// Code for more root fields than [`Limits::max_root_fields`].
pub const TOO_MANY_ROOT_FIELDS: &str = "TOO_MANY_ROOT_FIELDS";
/// Code for more directives than [`Limits::max_directives`].
pub const TOO_MANY_DIRECTIVES: &str = "TOO_MANY_DIRECTIVES";
/// Code for an introspection query from a viewer whose role may not introspect.
pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";

/// Extra cost of a field whose resolver reaches the case systems (one batched call per system
/// at most, but still the expensive part of a query).
pub const BACKEND_FIELD_COST: usize = 10;

/// The highest cost one field is given. async-graphql adds sibling costs without saturating;
/// capping each field keeps every sum far below `usize::MAX` (a 1 MB body holds well under a
/// million fields, and 2^40 × 2^20 < 2^64), and the cap is far above any sensible
/// `max_complexity`.
pub const COST_CEILING: usize = 1 << 40;

/// Cost of a connection field: [`BACKEND_FIELD_COST`] plus `first` times the cost of one item's
/// selection (`child_complexity`, which also holds `totalCount` and `pageInfo`: a slight
/// over-estimate). Without `first` the page is [`crate::DEFAULT_PAGE_SIZE`] — the cost model
/// cannot read a configured `graphql.default_page_size`, so raising that setting calls for a
/// lower `max_complexity`. A negative `first` costs the base only: `paginate` refuses it anyway.
/// A `first` above `max_page_size` is priced as given, so it may be refused as too complex
/// before `paginate` would refuse it as `BAD_USER_INPUT`.
pub fn connection_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = match first {
        None => crate::DEFAULT_PAGE_SIZE,
        Some(n) => usize::try_from(n).unwrap_or(0),
    };
    list_cost(page, child_complexity)
}

/// Cost of a field that returns up to `len` items, each reached through the case systems.
pub fn list_cost(len: usize, child_complexity: usize) -> usize {
    BACKEND_FIELD_COST
        .saturating_add(len.saturating_mul(child_complexity))
        .min(COST_CEILING)
}

/// Cost of a field that reaches the case systems for a single object.
pub fn backend_field_cost(child_complexity: usize) -> usize {
    list_cost(1, child_complexity)
}

/// What [`measure`] counts in one operation (with the fragments it reaches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationShape {
    /// Where the operation starts.
    pub pos: Pos,
    /// Fields with an alias, each fragment counted once.
    pub aliases: usize,
    /// Fields at the operation's top level, through inline fragments and fragment spreads.
    pub root_fields: usize,
    /// Directives on the operation, its variables, fields, fragment spreads, inline fragments
    /// and the fragment definitions it reaches.
    pub directives: usize,
    /// Whether a root field is `__schema` or `__type` (`__typename` is not introspection).
    pub introspection: bool,
}

/// Count every operation in `doc`. A spread of an unknown fragment is skipped (validation
/// reports it); a fragment is followed once per operation, which also ends fragment cycles.
pub fn measure(doc: &ExecutableDocument) -> Vec<OperationShape> {
    doc.operations
        .iter()
        .map(|(_, op)| measure_operation(doc, op))
        .collect()
}

fn measure_operation(
    doc: &ExecutableDocument,
    op: &Positioned<OperationDefinition>,
) -> OperationShape {
    let mut shape = OperationShape {
        pos: op.pos,
        directives: op.node.directives.len()
            + op.node
                .variable_definitions
                .iter()
                .map(|v| v.node.directives.len())
                .sum::<usize>(),
        ..OperationShape::default()
    };

    // The whole operation. An explicit stack rather than recursion: fragments chained one into
    // the next could otherwise nest as deep as the body allows.
    let mut followed: HashSet<&Name> = HashSet::new();
    let mut stack: Vec<&SelectionSet> = vec![&op.node.selection_set.node];
    while let Some(set) = stack.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if field.node.alias.is_some() {
                        shape.aliases += 1;
                    }
                    shape.directives += field.node.directives.len();
                    stack.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(inline) => {
                    shape.directives += inline.node.directives.len();
                    stack.push(&inline.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    shape.directives += spread.node.directives.len();
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = doc.fragments.get(name)
                        && followed.insert(name)
                    {
                        shape.directives += fragment.node.directives.len();
                        stack.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }

    // The top level only: fields here are root fields, whatever fragment brings them.
    let mut followed: HashSet<&Name> = HashSet::new();
    let mut stack: Vec<&SelectionSet> = vec![&op.node.selection_set.node];
    while let Some(set) = stack.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    shape.root_fields += 1;
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type") {
                        shape.introspection = true;
                    }
                }
                Selection::InlineFragment(inline) => stack.push(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = doc.fragments.get(name)
                        && followed.insert(name)
                    {
                        stack.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }
    shape
}

/// Refuse `doc` if any operation in it is over a bound in `limits`, or asks for introspection
/// when `introspection_allowed` is false. Every operation is checked, not just the one that
/// would run: a document is refused for what it holds.
pub fn check(
    doc: &ExecutableDocument,
    limits: &Limits,
    introspection_allowed: bool,
) -> ServerResult<()> {
    for shape in measure(doc) {
        let over = |code: &str, what: &str, count: usize, max: usize| {
            refusal(
                code,
                format!("the query has {count} {what}; at most {max} are allowed"),
                shape.pos,
            )
        };
        for (code, what, count, max) in [
            (
                TOO_MANY_ALIASES,
                "aliases",
                shape.aliases,
                limits.max_aliases,
            ),
            (
                TOO_MANY_ROOT_FIELDS,
                "root fields",
                shape.root_fields,
                limits.max_root_fields,
            ),
            (
                TOO_MANY_DIRECTIVES,
                "directives",
                shape.directives,
                limits.max_directives,
            ),
        ] {
            if count > max {
                return Err(over(code, what, count, max));
            }
        }
        if shape.introspection && !introspection_allowed {
            return Err(refusal(
                INTROSPECTION_DISABLED,
                "introspection is not available to this viewer".into(),
                shape.pos,
            ));
        }
    }
    Ok(())
}

fn refusal(code: &str, message: String, pos: Pos) -> ServerError {
    let mut error = ServerError::new(message, Some(pos));
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    error.extensions = Some(ext);
    error
}

/// Extension factory that applies [`check`] to every parsed query, with the introspection rule
/// for the request's [`Viewer`] (none: anonymous).
pub struct ShapeLimits {
    limits: Arc<Limits>,
}

impl ShapeLimits {
    /// Enforce `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits: Arc::new(limits),
        }
    }
}

impl ExtensionFactory for ShapeLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ShapeLimitsExtension {
            limits: self.limits.clone(),
        })
    }
}

/// The per-request half of [`ShapeLimits`].
pub struct ShapeLimitsExtension {
    limits: Arc<Limits>,
}

#[async_trait::async_trait]
impl Extension for ShapeLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let role = ctx.data_opt::<Viewer>().map_or(Role::Anonymous, |v| v.role);
        check(&doc, &self.limits, self.limits.introspection_allowed(role))?;
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::{EmptyMutation, EmptySubscription, Schema};

    use super::*;

    fn shapes(query: &str) -> Vec<OperationShape> {
        match parse_query(query) {
            Ok(doc) => measure(&doc)
                .into_iter()
                .map(|s| OperationShape {
                    pos: Pos::default(),
                    ..s
                })
                .collect(),
            Err(e) => panic!("{query}: {e}"),
        }
    }

    fn shape(aliases: usize, root_fields: usize, directives: usize) -> OperationShape {
        OperationShape {
            pos: Pos::default(),
            aliases,
            root_fields,
            directives,
            introspection: false,
        }
    }

    #[test]
    fn counts_aliases_root_fields_and_directives_of_a_plain_query() {
        assert_eq!(
            shapes("{ a: viewer { r: role } viewer @skip(if: true) { role @include(if: true) } }"),
            vec![shape(2, 2, 2)]
        );
    }

    #[test]
    fn fragments_count_once_per_operation_however_often_they_are_spread() {
        let q = "query Q @a { ...F ...F x: viewer { ...G } }
                 fragment F on Query @b { one: viewer { role } two: viewer { ...G @c } }
                 fragment G on Viewer { s: subject @d }";
        // Aliases: one, two (F), x, s (G once); root fields: one, two (through F), x;
        // directives: @a, @b, @c, @d.
        assert_eq!(shapes(q), vec![shape(4, 3, 4)]);
    }

    #[test]
    fn inline_fragments_and_spreads_at_the_top_bring_root_fields() {
        let q = "{ ... on Query { a: viewer { role } ... @include(if: true) { b: viewer { role } } } ...R }
                 fragment R on Query { caseSystems { id } }";
        assert_eq!(shapes(q), vec![shape(2, 3, 1)]);
    }

    #[test]
    fn fragment_cycles_and_unknown_fragments_end_the_walk() {
        let q = "{ viewer { ...A } ...Top }
                 fragment A on Viewer { a: role ...B ...Missing }
                 fragment B on Viewer { b: subject ...A }
                 fragment Top on Query { ...Top t: viewer { role } }";
        assert_eq!(shapes(q), vec![shape(3, 2, 0)]);
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_recurse() {
        let n = 20_000;
        let mut q = String::from("{ ...F0 }");
        for i in 0..n {
            q.push_str(&format!(
                " fragment F{i} on Query {{ a{i}: viewer {{ role }} ...F{} }}",
                i + 1
            ));
        }
        assert_eq!(shapes(&q), vec![shape(n, n, 0)]);
    }

    #[test]
    fn each_operation_is_counted_on_its_own() {
        let q = "query A { a: viewer { role } } query B($x: Boolean! @v) { b: viewer { role } c: viewer { role } }";
        let mut counted = shapes(q);
        // Named operations come out of a map, in no particular order.
        counted.sort_by_key(|s| s.aliases);
        assert_eq!(counted, vec![shape(1, 1, 0), shape(2, 2, 1)]);
    }

    #[test]
    fn introspection_is_a_root_schema_or_type_field_not_typename() {
        let intro = |q: &str| shapes(q).iter().any(|s| s.introspection);
        assert!(intro("{ __schema { types { name } } }"));
        assert!(intro("{ __type(name: \"Case\") { name } }"));
        assert!(intro(
            "{ ...I } fragment I on Query { __schema { queryType { name } } }"
        ));
        assert!(!intro("{ __typename viewer { __typename role } }"));
    }

    fn code(result: ServerResult<()>) -> Option<String> {
        result.err().and_then(|e| match e.extensions?.get("code") {
            Some(async_graphql::Value::String(c)) => Some(c.clone()),
            _ => None,
        })
    }

    #[test]
    fn check_refuses_each_bound_with_its_code() {
        let limits = Limits {
            max_aliases: 1,
            max_root_fields: 2,
            max_directives: 1,
            ..Limits::default()
        };
        let run = |q: &str, intro: bool| match parse_query(q) {
            Ok(doc) => code(check(&doc, &limits, intro)),
            Err(e) => panic!("{q}: {e}"),
        };
        assert_eq!(run("{ a: viewer { role } viewer { role } }", false), None);
        assert_eq!(
            run("{ a: viewer { role } b: viewer { role } }", false).as_deref(),
            Some(TOO_MANY_ALIASES)
        );
        assert_eq!(
            run("{ viewer { role } caseSystems { id } __typename }", false).as_deref(),
            Some(TOO_MANY_ROOT_FIELDS)
        );
        assert_eq!(
            run(
                "{ viewer @skip(if: false) { role @skip(if: false) } }",
                false
            )
            .as_deref(),
            Some(TOO_MANY_DIRECTIVES)
        );
        assert_eq!(
            run("{ __schema { queryType { name } } }", false).as_deref(),
            Some(INTROSPECTION_DISABLED)
        );
        assert_eq!(run("{ __schema { queryType { name } } }", true), None);
    }

    #[test]
    fn introspection_follows_the_role_and_the_master_switch() {
        let limits = Limits::default();
        assert!(!limits.introspection_allowed(Role::Anonymous));
        assert!(!limits.introspection_allowed(Role::Citizen));
        assert!(!limits.introspection_allowed(Role::ThirdParty));
        assert!(limits.introspection_allowed(Role::Caseworker));
        assert!(limits.introspection_allowed(Role::Admin));
        let open = Limits {
            introspection_for_anonymous: true,
            introspection_for_citizens: true,
            ..Limits::default()
        };
        assert!(open.introspection_allowed(Role::Anonymous));
        assert!(open.introspection_allowed(Role::Citizen));
        let off = Limits {
            introspection: false,
            ..open
        };
        assert!(!off.introspection_allowed(Role::Admin));
        assert!(!off.introspection_allowed(Role::Anonymous));
    }

    #[test]
    fn connection_cost_multiplies_by_the_page() {
        assert_eq!(connection_cost(Some(20), 3), 70);
        assert_eq!(connection_cost(None, 3), 10 + crate::DEFAULT_PAGE_SIZE * 3);
        assert_eq!(connection_cost(Some(-5), 3), BACKEND_FIELD_COST);
        assert_eq!(connection_cost(Some(i32::MAX), usize::MAX), COST_CEILING);
    }

    /// The complexity async-graphql computes for `query` with the real cost attributes, read
    /// back through its `Analyzer`. The schema has no services: execution fails, validation
    /// (where complexity is computed) does not need them.
    async fn complexity(query: &str, variables: serde_json::Value) -> Result<u64, String> {
        let schema = Schema::build(crate::query::Query, EmptyMutation, EmptySubscription)
            .extension(async_graphql::extensions::Analyzer)
            .finish();
        let request = async_graphql::Request::new(query).variables(Variables::from_json(variables));
        let response = schema.execute(request).await;
        let analyzed = response
            .extensions
            .get("analyzer")
            .and_then(|a| serde_json::to_value(a).ok())
            .and_then(|a| a["complexity"].as_u64());
        analyzed.ok_or_else(|| format!("{:?}", response.errors))
    }

    fn example(name: &str) -> String {
        let path = format!(
            "{}/../playground/examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    const MY_CASES: &str = "{ myCases(first: 100) { totalCount nodes { id systemId sagsnummer title status documents(first: 1000) { totalCount nodes { aktnummer title } } } } }";
    const NESTED: &str = "query($cpr: String!) { party(cpr: $cpr) { name cases(first: 200) { totalCount nodes { systemId sagsnummer documents(first: 1000) { totalCount nodes { aktnummer title kind letterDate } } parties { role party { name cpr } } } } } }";
    const TWO_FULL_PAGES: &str = "{ party(cpr: \"x\") { cases(first: 1000) { nodes { documents(first: 1000) { nodes { title } } } } } }";
    const THREE_LEVELS: &str = "{ party(cpr: \"x\") { cases(first: 1000) { nodes { documents(first: 1000) { nodes { title case { documents(first: 1000) { nodes { title } } } } } } } } }";

    #[tokio::test]
    async fn the_documented_complexities_hold_and_the_default_bound_separates_them() {
        let cpr = serde_json::json!({ "cpr": "010190-1234" });
        let none = serde_json::json!({});
        let cases = [
            (example("viewer.graphql"), none.clone(), 4),
            (example("case_systems.graphql"), none.clone(), 19),
            (example("my_cases.graphql"), none.clone(), 6_473),
            (example("party_overview.graphql"), cpr.clone(), 62_023),
            (MY_CASES.to_owned(), none.clone(), 401_710),
            (NESTED.to_owned(), cpr.clone(), 1_203_821),
            (TWO_FULL_PAGES.to_owned(), none.clone(), 2_011_020),
            (THREE_LEVELS.to_owned(), none.clone(), 2_013_011_020),
        ];
        let max = Limits::default().max_complexity as u64;
        for (i, (query, variables, expected)) in cases.into_iter().enumerate() {
            assert_eq!(complexity(&query, variables).await, Ok(expected), "{query}");
            // The first six are legitimate, the last two absurd.
            assert_eq!(expected <= max, i < 6, "{query}: {expected} vs {max}");
        }
    }

    /// Codes of the errors `query` gets from the schema as `build` configures it (no services,
    /// so only refusals before execution are meaningful), as `viewer`; and the data.
    async fn refused(
        limits: &Limits,
        viewer: Viewer,
        query: &str,
    ) -> (Vec<String>, serde_json::Value) {
        let schema = crate::limited(limits).finish();
        let response = schema
            .execute(async_graphql::Request::new(query).data(viewer))
            .await;
        let codes = response
            .errors
            .iter()
            .filter_map(|e| match e.extensions.as_ref()?.get("code") {
                Some(async_graphql::Value::String(c)) => Some(c.clone()),
                _ => None,
            })
            .collect();
        let data = serde_json::to_value(&response.data).unwrap_or_default();
        (codes, data)
    }

    #[tokio::test]
    async fn the_schema_refuses_with_the_limit_codes_and_keeps_them_through_error_codes() {
        let limits = Limits {
            max_aliases: 1,
            max_root_fields: 2,
            max_directives: 1,
            ..Limits::default()
        };
        let anon = Viewer::anonymous;
        for (query, code) in [
            ("{ a: __typename b: __typename }", TOO_MANY_ALIASES),
            (
                "{ __typename viewer { role } caseSystems { id } }",
                TOO_MANY_ROOT_FIELDS,
            ),
            (
                "{ __typename @skip(if: false) @include(if: true) }",
                TOO_MANY_DIRECTIVES,
            ),
            (
                "{ __schema { queryType { name } } }",
                INTROSPECTION_DISABLED,
            ),
            ("{ __typename(", "GRAPHQL_PARSE_FAILED"),
        ] {
            assert_eq!(
                refused(&limits, anon(), query).await.0,
                vec![code],
                "{query}"
            );
        }
        let strict = Limits {
            max_complexity: 10,
            ..limits.clone()
        };
        assert_eq!(
            refused(&strict, anon(), THREE_LEVELS).await.0,
            vec!["QUERY_TOO_COMPLEX"]
        );
    }

    #[tokio::test]
    async fn staff_may_introspect_citizens_and_anonymous_viewers_only_where_configured() {
        let q = "{ __schema { queryType { name } } }";
        let cpr = crate::viewer::cpr_key("010190-1234")
            .unwrap_or_else(|| panic!("a valid test CPR number"));
        let citizen = || Viewer::citizen("c", cpr.clone());
        let caseworker =
            || Viewer::caseworker("w", Vec::new(), connectors::Sensitivity::IkkeFortrolig);
        let limits = Limits::default();
        assert_eq!(
            refused(&limits, citizen(), q).await.0,
            vec![INTROSPECTION_DISABLED]
        );
        let (codes, data) = refused(&limits, caseworker(), q).await;
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(data["__schema"]["queryType"]["name"], "Query");
        let open = Limits {
            introspection_for_citizens: true,
            ..Limits::default()
        };
        assert!(refused(&open, citizen(), q).await.0.is_empty());
        assert_eq!(
            refused(&open, Viewer::anonymous(), q).await.0,
            vec![INTROSPECTION_DISABLED]
        );
    }

    /// Why [`ShapeLimits`] checks introspection itself: async-graphql's own switch answers
    /// `null` without an error.
    #[tokio::test]
    async fn async_graphql_alone_answers_disabled_introspection_with_a_silent_null() {
        let schema = Schema::build(crate::query::Query, EmptyMutation, EmptySubscription).finish();
        let response = schema
            .execute(
                async_graphql::Request::new("{ __schema { queryType { name } } }")
                    .disable_introspection(),
            )
            .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = serde_json::to_value(&response.data).unwrap_or_default();
        assert_eq!(data["__schema"], serde_json::Value::Null);
    }

    #[tokio::test]
    async fn nodes_pay_per_id_so_a_list_of_ids_is_no_way_around_page_costs() {
        let ids: Vec<String> = (0..1000).map(|i| format!("\"id{i}\"")).collect();
        let q = format!(
            "{{ nodes(ids: [{}]) {{ ... on Case {{ documents(first: 1000) {{ nodes {{ title }} }} }} }} }}",
            ids.join(", ")
        );
        let c = complexity(&q, serde_json::json!({})).await;
        assert!(
            c.as_ref()
                .is_ok_and(|&c| c > Limits::default().max_complexity as u64),
            "{c:?}"
        );
    }
}
