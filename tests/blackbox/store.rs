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
