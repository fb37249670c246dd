//! GraphQL over HTTP: methods, media types, status codes, batching, limits, tokens.

use playground::municipality::Params;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{codes, spawn_app, spawn_app_with};

const GR_JSON: &str = "application/graphql-response+json";

#[tokio::test]
async fn http_behaviours_follow_the_graphql_over_http_spec() {
    let app = spawn_app(Params::small()).await;
    let url = format!("{}/graphql", app.base);
    let token = app.tokens.citizen.clone();

    // GET runs a query, and answers in the media type asked for.
    let r = app
        .http
        .get(&url)
        .query(&[("query", "{ viewer { role } }")])
        .bearer_auth(&token)
        .header("Accept", GR_JSON)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], GR_JSON);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["data"]["viewer"]["role"], "CITIZEN");

    // GET never runs a mutation.
    let r = app
        .http
        .get(&url)
        .query(&[("query", "mutation { x }")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "POST");

    // An Accept we cannot produce is 406; no Accept is application/json.
    let r = app
        .http
        .get(&url)
        .query(&[("query", "{ viewer { role } }")])
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    let r = app
        .http
        .post(&url)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.headers()["content-type"], "application/json");

    // A validation failure is 400 under graphql-response+json, 200 under application/json.
    for (accept, status) in [
        (GR_JSON, StatusCode::BAD_REQUEST),
        ("application/json", StatusCode::OK),
    ] {
        let r = app
            .http
            .post(&url)
            .header("Accept", accept)
            .json(&json!({ "query": "{ noSuchField }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), status, "{accept}");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(codes(&body), vec!["GRAPHQL_VALIDATION_FAILED"]);
    }
    // So is a parse failure.
    let r = app
        .http
        .post(&url)
        .header("Accept", GR_JSON)
        .json(&json!({ "query": "{ viewer { " }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(codes(&body), vec!["GRAPHQL_PARSE_FAILED"]);

    // A body that is no GraphQL request is 400; a non-JSON content type is 415.
    let r = app
        .http
        .post(&url)
        .header("Content-Type", "application/json")
        .body("{\"query\": 5}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .http
        .post(&url)
        .header("Content-Type", "text/plain")
        .body("{ viewer { role } }")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn batches_run_each_operation_and_are_limited() {
    let app = spawn_app_with(Params::small(), |s| s.graphql.max_batch = 3).await;
    let url = format!("{}/graphql", app.base);
    let batch =
        json!([{ "query": "{ viewer { role } }" }, { "query": "{ myCases { totalCount } }" }]);
    let r = app
        .http
        .post(&url)
        .bearer_auth(&app.tokens.citizen)
        .json(&batch)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body[0]["data"]["viewer"]["role"], "CITIZEN");
    assert_eq!(
        body[1]["data"]["myCases"]["totalCount"],
        json!(Params::small().demo_citizen_cases)
    );

    let too_many = json!([{ "query": "{ viewer { role } }" }, { "query": "{ viewer { role } }" }, { "query": "{ viewer { role } }" }, { "query": "{ viewer { role } }" }]);
    let r = app
        .http
        .post(&url)
        .json(&too_many)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(codes(&body), vec!["BATCH_TOO_LARGE"]);
}

#[tokio::test]
async fn limits_refuse_over_deep_queries_and_huge_bodies_and_the_server_keeps_answering() {
    let app = spawn_app_with(Params::small(), |s| {
        s.graphql.max_depth = 5;
        s.server.body_limit_bytes = 4096;
    })
    .await;
    let url = format!("{}/graphql", app.base);
    // Small pages, so it is too deep but not too complex (complexity is checked first).
    let deep = "{ myCases(first: 1) { nodes { documents(first: 1) { nodes { case { \
                documents(first: 1) { nodes { title } } } } } } } }";
    let r = app
        .http
        .post(&url)
        .header("Accept", GR_JSON)
        .bearer_auth(&app.tokens.citizen)
        .json(&json!({ "query": deep }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(codes(&body), vec!["QUERY_TOO_DEEP"], "{body:#}");

    let huge = json!({ "query": format!("{{ viewer {{ role }} }} #{}", "x".repeat(10_000)) });
    let r = app
        .http
        .post(&url)
        .json(&huge)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let first = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myCases(first: 100000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&first), vec!["BAD_USER_INPUT"], "{first:#}");

    let ok = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myCases { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok["data"]["myCases"]["totalCount"],
        json!(Params::small().demo_citizen_cases)
    );
}

#[tokio::test]
async fn an_invalid_token_is_401_unauthenticated_and_health_needs_none() {
    let app = spawn_app(Params::small()).await;
    let url = format!("{}/graphql", app.base);
    for bad in ["Bearer not.a.token", "Basic dXNlcjpwdw=="] {
        let r = app
            .http
            .post(&url)
            .header("Authorization", bad)
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
    }
    let r = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["systems"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn the_playground_is_served_with_its_assets_from_the_hub() {
    let app = spawn_app(Params::small()).await;
    let page = app
        .http
        .get(format!("{}/playground", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("/playground/assets/"), "{html}");
    for name in playground::graphiql::ASSET_NAMES {
        let r = app
            .http
            .get(format!("{}/playground/assets/{name}", app.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), StatusCode::OK, "{name}");
    }
    let r = app
        .http
        .get(format!("{}/playground/assets/..%2Fsecret", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[test]
fn the_printed_schema_is_the_committed_snapshot() {
    insta::assert_snapshot!("schema.graphql", schema::sdl());
}

#[tokio::test]
async fn an_unreachable_identity_provider_is_503_and_dev_tokens_still_work() {
    // A JWKS URL where nothing listens.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/.well-known/jwks.json",
        dead.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    drop(dead);
    let app = spawn_app_with(Params::small(), move |s| s.auth.jwks_url = Some(url)).await;
    let signer = api::auth::DevSigner::generate_es256("k1").unwrap_or_else(|e| panic!("{e}"));
    let token = signer
        .mint(&app.settings.auth, "cw", &api::auth::DevIdentity::Admin, 60)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(codes(&body), vec!["IDENTITY_PROVIDER_UNAVAILABLE"]);
    // The hub keeps serving tokens it can check.
    let ok = app
        .gql(Some(&app.tokens.citizen), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(ok["data"]["viewer"]["role"], "CITIZEN");
}
