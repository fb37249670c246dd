//! The hub's own store: SQLite by default, PostgreSQL by URL.

use std::sync::atomic::{AtomicUsize, Ordering};

use playground::municipality::Params;
use sea_orm::{ConnectionTrait, Database, EntityTrait};
use serde_json::json;

use crate::helpers::spawn_app_with;

static N: AtomicUsize = AtomicUsize::new(0);

#[tokio::test]
async fn health_probes_are_recorded_in_a_postgresql_store() {
    let Ok(base) = std::env::var("SAGSHUB_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SAGSHUB_TEST_POSTGRES_URL not set");
        return;
    };
    let name = format!(
        "sagshub_store_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let admin = Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("connecting to {base}: {e}"));
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("SAGSHUB_TEST_POSTGRES_URL has no database part"),
    };
    let store_url = url.clone();
    {
        let app = spawn_app_with(Params::small(), move |s| s.store.url = store_url).await;
        let answer = app
            .gql(
                Some(&app.tokens.admin),
                "{ caseSystems { systemId health { up } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            answer["data"]["caseSystems"].as_array().map(Vec::len),
            Some(5),
            "{answer:#}"
        );
        let db = Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = entities::case_system_health::Entity::find()
            .all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 5);
        assert!(rows.iter().all(|r| r.up && r.last_up_at.is_some()));
        // The audit chain and consents work on PostgreSQL too (advisory lock, timestamps).
        let cpr = app.municipality().demo_citizen().cpr.clone();
        let q = "query($cpr: String!) { party(cpr: $cpr) { cases { nodes { documents { totalCount } } } } }";
        let read = app
            .gql(Some(&app.tokens.caseworker_all), q, json!({ "cpr": cpr }))
            .await;
        assert_eq!(read["errors"], serde_json::Value::Null, "{read:#}");
        let until = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let consent = app
            .gql(
                Some(&app.tokens.citizen),
                "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { active } } }",
                json!({ "input": { "granteeSubject": "pg-lawyer", "granteeName": "Advokat", "validUntil": until } }),
            )
            .await;
        assert_eq!(
            consent["data"]["registerConsent"]["consent"]["active"],
            json!(true),
            "{consent:#}"
        );
        let report = api::audit_verify(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.starts_with("audit log intact"), "{report}");
        let events = entities::audit_event::Entity::find()
            .all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            events.iter().any(|e| e.action == "document.read")
                && events.iter().any(|e| e.action == "consent.registered")
        );
        db.close().await.ok();
    }
    // Terminate the hub's pooled connections before dropping the database.
    let _ = admin
        .execute_unprepared(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
        .await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await;
}
