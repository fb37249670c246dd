//! The cross-department lookup over HTTP: the case index synced from all five systems,
//! `searchCases` by name, sagsnummer, KLE and CPR within the caseworker's departments and
//! clearance (counts included), deletions and changes propagated, a system down during sync,
//! the live fall-back, and the same search on a PostgreSQL store.
//!
//! Expected counts are computed from the generated municipality with the index's documented
//! matching rules (`schema::services::index::text`), never hard-coded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::auth::DevIdentity;
use chrono::{DateTime, Utc};
use playground::municipality::{Level, Municipality, Params, SimCase};
use schema::services::index::{kle, text};
use sea_orm::{ConnectionTrait, Database, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, codes, spawn_app_with};

const SEARCH: &str = "query($q: String, $filter: CaseSearchFilter, $purpose: String, $live: Boolean, $first: Int, $after: String) {
  searchCases(query: $q, filter: $filter, purpose: $purpose, live: $live, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { score highlightedTitle kleLabel source
            case { id systemId localId sagsnummer title kle department sensitivity } }
  }
}";

const STATUS: &str = "{ caseSystems { systemId index { lastSyncAt lastSuccessAt lagSeconds lastError indexedCount fullSyncDone } } }";

async fn spawn_indexed(store_url: Option<String>) -> TestApp {
    spawn_app_with(Params::small(), move |s| {
        s.index.enabled = true;
        s.index.sync_interval_secs = 1;
        if let Some(url) = store_url {
            s.store.url = url;
        }
    })
    .await
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Poll the admin's `caseSystems` until `done` holds for every system's index status.
async fn wait_for_index(app: &TestApp, what: &str, done: impl Fn(&str, &Value) -> bool) {
    let started = Instant::now();
    loop {
        let answer = app.gql(Some(&app.tokens.admin), STATUS, json!({})).await;
        let systems = answer["data"]["caseSystems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if systems.len() == 5
            && systems
                .iter()
                .all(|s| done(s["systemId"].as_str().unwrap_or_default(), &s["index"]))
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index never got {what}: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until every system has synced successfully after `since`.
async fn synced_after(app: &TestApp, since: DateTime<Utc>) {
    wait_for_index(app, "synced", |_, i| {
        time(&i["lastSuccessAt"]).is_some_and(|t| t > since)
    })
    .await;
}

async fn search(app: &TestApp, token: &str, vars: Value) -> Value {
    app.gql(Some(token), SEARCH, vars).await
}

fn total(answer: &Value) -> u64 {
    answer["data"]["searchCases"]["totalCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("no totalCount in {answer}"))
}

fn nodes(answer: &Value) -> Vec<Value> {
    answer["data"]["searchCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The cases of the municipality a caseworker of `departments` with `clearance` finds with
/// `query` (and a KLE prefix), by the index's rules.
fn expected<'m>(
    m: &'m Municipality,
    query: &str,
    kle_prefix: Option<&str>,
    departments: &[&str],
    clearance: Level,
) -> Vec<&'m SimCase> {
    let parsed = text::ParsedQuery::parse(query);
    m.cases
        .iter()
        .filter(|c| {
            let department = m
                .department(c.department)
                .map(|d| d.name)
                .unwrap_or_default();
            let names: Vec<String> = std::iter::once(c.primary)
                .chain(c.secondary.iter().copied())
                .map(|i| m.citizens[i].name())
                .collect();
            let docs: Vec<&str> = c.documents.iter().map(|d| d.title.as_str()).collect();
            let label = kle::label(&c.kle);
            let mut texts = vec![
                c.title.as_str(),
                c.sagsnummer.as_str(),
                c.kle.as_str(),
                &label,
            ];
            texts.extend(names.iter().map(String::as_str));
            texts.extend(docs);
            let cprs: Vec<String> = std::iter::once(c.primary)
                .chain(c.secondary.iter().copied())
                .map(|i| m.citizens[i].cpr.replace('-', ""))
                .collect();
            departments.contains(&department)
                && c.level <= clearance
                && kle_prefix.is_none_or(|p| c.kle.starts_with(&format!("{p}.")))
                && parsed.matches(&text::document_terms(texts))
                && parsed
                    .sagsnumre
                    .iter()
                    .all(|s| text::sagsnummer_key(&c.sagsnummer) == *s)
                && parsed.parties.iter().all(|k| {
                    cprs.iter()
                        .any(|d| matches!(k, connectors::PartyKey::Cpr(x) if x == d))
                })
        })
        .collect()
}

fn all_departments(m: &Municipality) -> Vec<&'static str> {
    m.departments.iter().map(|d| d.name).collect()
}

fn demo_cases(m: &Municipality) -> Vec<&SimCase> {
    m.cases
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .collect()
}

#[tokio::test]
async fn a_caseworker_finds_a_citizens_cases_across_systems_within_their_departments() {
    let app = spawn_indexed(None).await;
    synced_after(&app, DateTime::<Utc>::MIN_UTC).await;
    let m = app.municipality();
    let all = all_departments(m);
    let name = m.demo_citizen().name();

    // By name: every system, every department, the count the municipality gives.
    let answer = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": name, "first": 100 }),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer:#}");
    let want = expected(m, &name, None, &all, Level::Vip);
    assert_eq!(total(&answer), want.len() as u64, "{answer:#}");
    let found: Vec<String> = nodes(&answer)
        .iter()
        .map(|n| {
            n["case"]["sagsnummer"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let demo = demo_cases(m);
    assert!(
        demo.iter().all(|c| found.contains(&c.sagsnummer)),
        "{answer:#}"
    );
    let system_ids: std::collections::BTreeSet<String> = nodes(&answer)
        .iter()
        .filter_map(|n| n["case"]["systemId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        system_ids.len(),
        5,
        "the demo citizen has cases in all five systems"
    );
    assert!(nodes(&answer).iter().all(|n| n["source"] == "INDEX"));

    // One department, lower clearance: fewer, and none outside it.
    let bf = search(
        &app,
        &app.tokens.caseworker_bf,
        json!({ "q": name, "first": 100 }),
    )
    .await;
    let want_bf = expected(m, &name, None, &["Børn og Familie"], Level::Confidential);
    assert_eq!(total(&bf), want_bf.len() as u64, "{bf:#}");
    assert!(total(&bf) < total(&answer));
    for n in nodes(&bf) {
        assert_eq!(n["case"]["department"], "Børn og Familie", "{bf:#}");
        assert!(
            ["IKKE_FORTROLIG", "FORTROLIG"]
                .contains(&n["case"]["sensitivity"].as_str().unwrap_or(""))
        );
    }
    // Everything visible (no query): the counts are the scope's, not the index's.
    let everything = search(&app, &app.tokens.caseworker_bf, json!({})).await;
    let scope_bf = expected(m, "", None, &["Børn og Familie"], Level::Confidential);
    assert_eq!(total(&everything), scope_bf.len() as u64);
    assert!(scope_bf.len() < m.cases.len());

    // By sagsnummer: exactly that case.
    let case = demo[0];
    let one = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": case.sagsnummer }),
    )
    .await;
    assert_eq!(total(&one), 1, "{one:#}");
    assert_eq!(nodes(&one)[0]["case"]["sagsnummer"], json!(case.sagsnummer));

    // By KLE prefix: the citizen's cases under 27.
    let kle27 = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": name, "filter": { "kle": "27.*" }, "first": 100 }),
    )
    .await;
    let want27 = expected(m, &name, Some("27"), &all, Level::Vip);
    assert_eq!(total(&kle27), want27.len() as u64, "{kle27:#}");
    assert!(!want27.is_empty());
    assert!(nodes(&kle27).iter().all(|n| {
        n["case"]["kle"]
            .as_str()
            .is_some_and(|k| k.starts_with("27."))
    }));

    // Stemming and a prefix, with the matched words marked in the title.
    let stem = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": "undersøgelser børnefagl", "first": 100 }),
    )
    .await;
    let want_stem = expected(m, "undersøgelser børnefagl", None, &all, Level::Vip);
    assert_eq!(total(&stem), want_stem.len() as u64, "{stem:#}");
    assert!(!want_stem.is_empty());
    let top = &nodes(&stem)[0];
    assert!(
        top["highlightedTitle"]
            .as_str()
            .is_some_and(|h| h.contains("<mark>")),
        "{top:#}"
    );
    assert!(top["score"].as_f64().is_some());

    // Pages: a cursor continues where the last page ended; the count stays.
    let page1 = search(&app, &app.tokens.caseworker_all, json!({ "first": 7 })).await;
    assert_eq!(total(&page1), m.cases.len() as u64);
    let after = page1["data"]["searchCases"]["pageInfo"]["endCursor"].clone();
    let page2 = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "first": 7, "after": after }),
    )
    .await;
    let ids = |a: &Value| -> Vec<String> {
        nodes(a)
            .iter()
            .map(|n| n["case"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(ids(&page2).len(), 7);
    assert!(ids(&page2).iter().all(|id| !ids(&page1).contains(id)));

    // Admins and caseworkers see the sync status.
    let status = app.gql(Some(&app.tokens.admin), STATUS, json!({})).await;
    let indexed: i64 = status["data"]["caseSystems"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|x| x["index"]["indexedCount"].as_i64())
                .sum()
        })
        .unwrap_or_default();
    assert_eq!(indexed, m.cases.len() as i64, "{status:#}");
    let cw = app
        .gql(Some(&app.tokens.caseworker_bf), STATUS, json!({}))
        .await;
    assert!(
        cw["data"]["caseSystems"][0]["index"]["fullSyncDone"] == json!(true),
        "{cw:#}"
    );
    let citizen = app.gql(Some(&app.tokens.citizen), STATUS, json!({})).await;
    assert!(
        citizen["data"]["caseSystems"][0]["index"].is_null(),
        "{citizen:#}"
    );
}

#[tokio::test]
async fn search_is_for_caseworkers_and_a_cpr_search_needs_a_purpose_and_is_audited() {
    let app = spawn_indexed(None).await;
    synced_after(&app, DateTime::<Utc>::MIN_UTC).await;
    let m = app.municipality();
    for token in [&app.tokens.citizen, &app.tokens.admin] {
        let answer = search(&app, token, json!({ "q": "børn" })).await;
        assert_eq!(codes(&answer), ["FORBIDDEN"], "{answer:#}");
    }
    let anonymous = app.gql(None, SEARCH, json!({ "q": "børn" })).await;
    assert_eq!(codes(&anonymous), ["UNAUTHENTICATED"]);

    let cpr = m.demo_citizen().cpr.clone();
    let refused = search(&app, &app.tokens.caseworker_all, json!({ "q": cpr })).await;
    assert_eq!(codes(&refused), ["BAD_USER_INPUT"], "{refused:#}");
    let answer = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": cpr, "purpose": "Borgerhenvendelse i Borgerservice", "first": 100 }),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer:#}");
    let want = demo_cases(m).len() as u64;
    assert_eq!(total(&answer), want, "{answer:#}");
    // A caseworker of one department finds only that department's cases of the citizen.
    let bf = app.token(
        "cw-bf-vip",
        DevIdentity::Caseworker {
            departments: vec!["Børn og Familie".into()],
            clearance: "Vip".into(),
        },
    );
    let one_dept = search(&app, &bf, json!({ "q": cpr, "purpose": "Underretning" })).await;
    let want_bf = expected(m, &cpr, None, &["Børn og Familie"], Level::Vip);
    assert_eq!(total(&one_dept), want_bf.len() as u64, "{one_dept:#}");

    let db = app.store().await;
    let events = entities::audit_event::Entity::find()
        .all(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let digits = cpr.replace('-', "");
    assert!(
        events.iter().all(
            |e| !e.object_id.clone().unwrap_or_default().contains(&digits)
                && !e.object_id.clone().unwrap_or_default().contains(&cpr)
        ),
        "a CPR number reached the audit log"
    );
    let by_cpr: Vec<_> = events
        .iter()
        .filter(|e| e.action == "case.searched_by_cpr")
        .collect();
    assert_eq!(by_cpr.len(), 2);
    assert_eq!(
        by_cpr[0].purpose.as_deref(),
        Some("Borgerhenvendelse i Borgerservice")
    );
    assert_eq!(by_cpr[0].object_kind.as_deref(), Some("party"));
    assert!(events.iter().any(|e| e.action == "case.search"
        && e.object_id.as_deref() == Some(format!("results={want}").as_str())));
    let reads = events.iter().filter(|e| e.action == "case.read").count() as u64;
    assert_eq!(reads, want + want_bf.len() as u64);
    assert!(
        events
            .iter()
            .any(|e| e.action == "access.denied" && e.role == "citizen")
    );
    assert!(
        events
            .iter()
            .any(|e| e.action == "access.denied" && e.object_kind.as_deref() == Some("party"))
    );
}

/// The local id a system gives one of the demo citizen's cases, read back from the index.
async fn indexed_case(app: &TestApp, system: &str) -> Value {
    let name = app.municipality().demo_citizen().name();
    let answer = search(
        app,
        &app.tokens.caseworker_all,
        json!({ "q": name, "filter": { "systems": [system] }, "first": 100 }),
    )
    .await;
    let demo = demo_cases(app.municipality());
    nodes(&answer)
        .into_iter()
        .find(|n| {
            demo.iter()
                .any(|c| Some(c.sagsnummer.as_str()) == n["case"]["sagsnummer"].as_str())
        })
        .map(|n| n["case"].clone())
        .unwrap_or_else(|| panic!("no demo case of {system}: {answer:#}"))
}

async fn count_of(app: &TestApp, sagsnummer: &str) -> u64 {
    total(&search(app, &app.tokens.caseworker_all, json!({ "q": sagsnummer })).await)
}

#[tokio::test]
async fn deletions_and_changes_in_a_system_reach_search_within_a_sync() {
    let app = spawn_indexed(None).await;
    synced_after(&app, DateTime::<Utc>::MIN_UTC).await;
    let m = app.municipality();
    let url = app
        .settings
        .systems
        .iter()
        .find_map(|s| s.sql.as_ref().map(|q| q.url.clone()))
        .unwrap_or_else(|| panic!("no SQL system"));
    let skole: Vec<&SimCase> = m.cases_of_system("skole").collect();
    let (gone, renamed) = (skole[0], skole[1]);
    assert_eq!(count_of(&app, &gone.sagsnummer).await, 1);

    let since = Utc::now();
    let deleted = playground::sim::sql::delete_case(&url, playground::sim::sql::sag_id(gone))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(deleted);
    playground::sim::sql::retitle_case(
        &url,
        playground::sim::sql::sag_id(renamed),
        "Kvantefysisk skolevejledning",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    synced_after(&app, since).await;

    assert_eq!(count_of(&app, &gone.sagsnummer).await, 0);
    let found = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": "kvantefysisk" }),
    )
    .await;
    assert_eq!(total(&found), 1, "{found:#}");
    assert_eq!(
        nodes(&found)[0]["case"]["sagsnummer"],
        json!(renamed.sagsnummer)
    );
    assert_eq!(
        nodes(&found)[0]["highlightedTitle"],
        json!("<mark>Kvantefysisk</mark> skolevejledning")
    );
    let db = app.store().await;
    let parties = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM case_index_party p LEFT JOIN case_index c ON c.id = p.case_id WHERE c.id IS NULL",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.try_get::<i64>("", "n").unwrap_or(-1));
    assert_eq!(parties, Some(0), "a deleted case left parties behind");
}

#[tokio::test]
async fn a_system_down_during_sync_fails_only_its_own_sync_and_catches_up() {
    let app = spawn_indexed(None).await;
    synced_after(&app, DateTime::<Utc>::MIN_UTC).await;
    let name = app.municipality().demo_citizen().name();
    let victim = indexed_case(&app, "jobcenter").await;
    let sagsnummer = victim["sagsnummer"].as_str().unwrap_or_default().to_owned();

    let since = Utc::now();
    let jobcenter = app.server("jobcenter");
    jobcenter
        .control
        .set_fault(playground::sim::Fault::ServerError);
    // Deleted while the system is failing for the hub.
    let deleted = app
        .http
        .post(format!(
            "{}/_sim/cases/{}/delete",
            jobcenter.base_url(),
            victim["localId"].as_str().unwrap_or_default()
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(deleted.status().is_success());
    wait_for_index(&app, "jobcenter failing, the others synced", |system, i| {
        if system == "jobcenter" {
            !i["lastError"].is_null() && time(&i["lastSyncAt"]).is_some_and(|t| t > since)
        } else {
            i["lastError"].is_null() && time(&i["lastSuccessAt"]).is_some_and(|t| t > since)
        }
    })
    .await;
    let during = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": name, "first": 100 }),
    )
    .await;
    assert!(during["errors"].is_null(), "{during:#}");
    let systems: std::collections::BTreeSet<String> = nodes(&during)
        .iter()
        .filter_map(|n| n["case"]["systemId"].as_str().map(str::to_owned))
        .collect();
    for other in ["esdh", "esdh-tm", "omsorg", "skole"] {
        assert!(
            systems.contains(other),
            "{other} missing while jobcenter is down: {during:#}"
        );
    }
    // The live fall-back reports the failing system and returns the others.
    let live = search(
        &app,
        &app.tokens.caseworker_all,
        json!({ "q": "", "live": true, "first": 100 }),
    )
    .await;
    assert!(
        codes(&live).contains(&"CASE_SYSTEM_UNAVAILABLE".to_owned()),
        "{live:#}"
    );
    let failed: Vec<&str> = live["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["extensions"]["system"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(failed, ["jobcenter"], "{live:#}");
    assert!(total(&live) > 0);
    assert!(
        nodes(&live)
            .iter()
            .all(|n| n["source"] == "LIVE" && n["case"]["systemId"] != "jobcenter")
    );

    let cleared = Utc::now();
    jobcenter.control.set_fault(playground::sim::Fault::None);
    synced_after(&app, cleared).await;
    wait_for_index(&app, "no errors", |_, i| i["lastError"].is_null()).await;
    assert_eq!(
        count_of(&app, &sagsnummer).await,
        0,
        "the deletion was caught up"
    );
}

static PG: AtomicUsize = AtomicUsize::new(0);

#[tokio::test]
async fn search_on_a_postgresql_store() {
    let Ok(base) = std::env::var("SAGSHUB_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SAGSHUB_TEST_POSTGRES_URL not set");
        return;
    };
    let name = format!(
        "sagshub_search_{}_{}",
        std::process::id(),
        PG.fetch_add(1, Ordering::Relaxed)
    );
    let admin = Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("connecting to {base}: {e}"));
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"),
    ] {
        admin
            .execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("SAGSHUB_TEST_POSTGRES_URL has no database part"),
    };
    {
        let app = spawn_indexed(Some(url.clone())).await;
        synced_after(&app, DateTime::<Utc>::MIN_UTC).await;
        let m = app.municipality();
        let all = all_departments(m);
        let citizen = m.demo_citizen().name();
        let answer = search(
            &app,
            &app.tokens.caseworker_all,
            json!({ "q": citizen, "first": 100 }),
        )
        .await;
        assert!(answer["errors"].is_null(), "{answer:#}");
        assert_eq!(
            total(&answer),
            expected(m, &citizen, None, &all, Level::Vip).len() as u64,
            "{answer:#}"
        );
        assert!(nodes(&answer)[0]["score"].as_f64().is_some_and(|s| s > 0.0));
        let bf = search(
            &app,
            &app.tokens.caseworker_bf,
            json!({ "q": citizen, "first": 100 }),
        )
        .await;
        assert_eq!(
            total(&bf),
            expected(m, &citizen, None, &["Børn og Familie"], Level::Confidential).len() as u64
        );
        assert!(
            nodes(&bf)
                .iter()
                .all(|n| n["case"]["department"] == "Børn og Familie")
        );
        let case = demo_cases(m)[0];
        assert_eq!(count_of(&app, &case.sagsnummer).await, 1);
        let stem = search(
            &app,
            &app.tokens.caseworker_all,
            json!({ "q": "undersøgelser børnefagl", "filter": { "kle": "27.24" } }),
        )
        .await;
        assert_eq!(
            total(&stem),
            expected(
                m,
                "undersøgelser børnefagl",
                Some("27.24"),
                &all,
                Level::Vip
            )
            .len() as u64,
            "{stem:#}"
        );
        let cpr = m.demo_citizen().cpr.clone();
        let by_cpr = search(
            &app,
            &app.tokens.caseworker_all,
            json!({ "q": cpr, "purpose": "Borgerhenvendelse" }),
        )
        .await;
        assert_eq!(total(&by_cpr), demo_cases(m).len() as u64, "{by_cpr:#}");
    }
    let _ = admin
        .execute_unprepared(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
        .await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await;
}
