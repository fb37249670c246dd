//! GraphQL limits over HTTP: aliases, root fields, directives, complexity and introspection per
//! role are refused before anything runs, with 400 under `application/graphql-response+json`
//! and a stable code, and the hub keeps answering afterwards.

use playground::municipality::Params;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, codes, spawn_app, spawn_app_with};

const GR_JSON: &str = "application/graphql-response+json";

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

/// POST `query` under `application/graphql-response+json`; the status and the answer.
async fn post(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let mut request = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("Accept", GR_JSON)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /graphql: {e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

/// `query` is refused before execution: 400, exactly `code`, no data.
async fn assert_refused(app: &TestApp, token: Option<&str>, query: &str, code: &str) {
    let (status, body) = post(app, token, query, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body:#}");
    assert_eq!(codes(&body), vec![code], "{query}: {body:#}");
    assert_eq!(body["data"], Value::Null, "{query}: {body:#}");
}

/// The hub still answers an ordinary query.
async fn assert_still_answering(app: &TestApp) {
    let (status, body) = post(
        app,
        Some(&app.tokens.citizen),
        "{ viewer { role } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["viewer"]["role"], "CITIZEN", "{body:#}");
}

#[tokio::test]
async fn aliases_root_fields_directives_and_complexity_over_the_configured_limits_are_refused() {
    let app = spawn_app_with(Params::small(), |s| {
        s.graphql.max_aliases = 2;
        s.graphql.max_root_fields = 3;
        s.graphql.max_directives = 2;
        s.graphql.max_complexity = 1_000;
    })
    .await;
    let citizen = Some(app.tokens.citizen.as_str());

    // At each bound the query runs.
    let at_bounds = "{ a: viewer { role } b: viewer @include(if: true) { role @skip(if: false) } \
                     myCases(first: 5) { totalCount nodes { title } } }";
    let (status, body) = post(&app, citizen, at_bounds, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["errors"], Value::Null, "{body:#}");
    assert_eq!(body["data"]["b"]["role"], "CITIZEN");

    let over = [
        // Three aliases, two of them in a fragment that is spread twice but counted once.
        (
            "{ viewer { ...F } x: viewer { ...F } } fragment F on Viewer { r: role s: subject }",
            "TOO_MANY_ALIASES",
        ),
        // Four root fields, one of them brought in by a fragment.
        (
            "{ viewer { role } __typename ...R } fragment R on Query { caseSystems { id } v: viewer { role } }",
            "TOO_MANY_ROOT_FIELDS",
        ),
        (
            "{ viewer @include(if: true) { role @skip(if: false) subject @skip(if: false) } }",
            "TOO_MANY_DIRECTIVES",
        ),
        // 10 + 100 × (1 + 1 + 1 + (10 + 100 × 1)) = 11,310 > 1,000.
        (
            "{ myCases { totalCount nodes { title documents { totalCount } } } }",
            "QUERY_TOO_COMPLEX",
        ),
    ];
    for (query, code) in over {
        assert_refused(&app, citizen, query, code).await;
        assert_still_answering(&app).await;
    }
}

#[tokio::test]
async fn the_default_complexity_lets_the_examples_through_and_refuses_nested_full_pages() {
    let app = spawn_app(Params::small()).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    for example in playground::graphiql::EXAMPLES {
        let token = match example.name {
            "MyCases" | "Viewer" | "SubmitAccessRequest" | "MyAccessRequests" => {
                &app.tokens.citizen
            }
            _ => &app.tokens.caseworker_all,
        };
        if example.query.contains("$requestId") {
            // Needs ids from an earlier answer: it must validate and run, and refuse the
            // made-up ids as such, not as a malformed operation.
            let fake = "WyJBY2Nlc3NSZXF1ZXN0Iiwibm9uZSJd";
            let (status, body) = post(
                &app,
                Some(token),
                example.query,
                json!({ "requestId": fake, "findingId": fake }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{}: {body:#}", example.name);
            assert!(
                codes(&body)
                    .iter()
                    .all(|c| c == "NOT_FOUND" || c == "BAD_USER_INPUT"),
                "{}: {body:#}",
                example.name
            );
            continue;
        }
        let (status, body) = post(&app, Some(token), example.query, json!({ "cpr": cpr })).await;
        assert_eq!(status, StatusCode::OK, "{}: {body:#}", example.name);
        assert_eq!(
            codes(&body),
            Vec::<String>::new(),
            "{}: {body:#}",
            example.name
        );
    }

    // Full pages on two nested connections: 2,011,020 > 2,000,000 (see schema::limits).
    let absurd = "query($cpr: String!) { party(cpr: $cpr) { cases(first: 1000) { nodes { \
                  documents(first: 1000) { nodes { title case { documents(first: 1000) { \
                  nodes { title } } } } } } } } }";
    for query in [
        absurd.to_owned(),
        absurd.replace("case { documents(first: 1000) { nodes { title } } }", ""),
    ] {
        let (status, body) = post(
            &app,
            Some(&app.tokens.caseworker_all),
            &query,
            json!({ "cpr": cpr }),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body:#}");
        assert_eq!(codes(&body), vec!["QUERY_TOO_COMPLEX"], "{query}: {body:#}");
        assert_still_answering(&app).await;
    }
}

#[tokio::test]
async fn introspection_is_for_staff_by_default_and_refused_to_anonymous_viewers_and_citizens() {
    let app = spawn_app(Params::small()).await;
    for token in [None, Some(app.tokens.citizen.as_str())] {
        assert_refused(&app, token, INTROSPECTION, "INTROSPECTION_DISABLED").await;
        // Also when a fragment hides it, and for `__type`.
        assert_refused(
            &app,
            token,
            "{ ...I } fragment I on Query { __type(name: \"Case\") { name } }",
            "INTROSPECTION_DISABLED",
        )
        .await;
        assert_still_answering(&app).await;
    }
    // `__typename` is not introspection.
    let (status, body) = post(&app, None, "{ __typename }", json!({})).await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (StatusCode::OK, &json!("Query"))
    );

    for token in [&app.tokens.caseworker_all, &app.tokens.admin] {
        let (status, body) = post(&app, Some(token), INTROSPECTION, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(
            body["data"]["__schema"]["queryType"]["name"], "Query",
            "{body:#}"
        );
    }
}

#[tokio::test]
async fn introspection_for_anonymous_viewers_or_citizens_can_be_configured() {
    let app = spawn_app_with(Params::small(), |s| {
        s.graphql.introspection_for_citizens = true;
    })
    .await;
    let (status, body) = post(&app, Some(&app.tokens.citizen), INTROSPECTION, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    assert_refused(&app, None, INTROSPECTION, "INTROSPECTION_DISABLED").await;

    let app = spawn_app_with(Params::small(), |s| {
        s.graphql.introspection_for_anonymous = true;
        s.graphql.introspection = false;
    })
    .await;
    // The master switch wins over the per-role ones, for staff too.
    for token in [None, Some(app.tokens.caseworker_all.as_str())] {
        assert_refused(&app, token, INTROSPECTION, "INTROSPECTION_DISABLED").await;
    }
    assert_still_answering(&app).await;
}

#[tokio::test]
async fn graphiqls_own_introspection_query_passes_the_default_limits() {
    // The query GraphiQL sends to draw its docs: deeper than any data query, so the default
    // depth limit must leave room for it.
    let app = crate::helpers::spawn_app(playground::municipality::Params::small()).await;
    let query = include_str!("fixtures/graphiql_introspection.graphql");
    let answer = app
        .gql(
            Some(&app.tokens.caseworker_all),
            query,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(answer["errors"], serde_json::Value::Null, "{answer:#}");
    assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "Query");
}
