//! The read path: one query, every system, batched, partial on failure.

use std::collections::{BTreeMap, BTreeSet};

use playground::municipality::{Params, SimCase};
use playground::sim::Fault;
use serde_json::{Value, json};

use crate::helpers::{codes, params_with_demo_cases, spawn_app};

fn demo_citizen_cases(m: &playground::municipality::Municipality) -> Vec<&SimCase> {
    m.cases
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .collect()
}

const MY_CASES: &str = "{ myCases(first: 100) { totalCount nodes { id systemId sagsnummer title status documents(first: 1000) { totalCount nodes { aktnummer title } } } } }";

#[tokio::test]
async fn a_citizen_gets_their_cases_from_all_five_systems_in_one_query() {
    let app = spawn_app(Params::small()).await;
    let answer = app
        .gql(Some(&app.tokens.citizen), MY_CASES, json!({}))
        .await;
    assert_eq!(answer["errors"], Value::Null, "{answer:#}");
    let nodes = answer["data"]["myCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let systems: BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| n["systemId"].as_str())
        .collect();
    assert_eq!(
        systems,
        BTreeSet::from(["esdh", "esdh-tm", "jobcenter", "omsorg", "skole"])
    );

    // Exactly the ground truth: same sagsnumre, titles and document counts.
    let expected: BTreeMap<String, (String, usize)> = demo_citizen_cases(app.municipality())
        .iter()
        .map(|c| (c.sagsnummer.clone(), (c.title.clone(), c.documents.len())))
        .collect();
    let got: BTreeMap<String, (String, usize)> = nodes
        .iter()
        .map(|n| {
            let sagsnr = n["sagsnummer"].as_str().unwrap_or_default().to_owned();
            let title = n["title"].as_str().unwrap_or_default().to_owned();
            let docs = n["documents"]["totalCount"].as_u64().unwrap_or(u64::MAX) as usize;
            (sagsnr, (title, docs))
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        answer["data"]["myCases"]["totalCount"],
        json!(expected.len())
    );
}

#[tokio::test]
async fn the_same_case_reads_the_same_through_node_and_through_the_party() {
    let app = spawn_app(Params::small()).await;
    let answer = app
        .gql(Some(&app.tokens.citizen), MY_CASES, json!({}))
        .await;
    let first = answer["data"]["myCases"]["nodes"][0].clone();
    let id = first["id"].as_str().unwrap_or_default().to_owned();
    let again = app
        .gql(
            Some(&app.tokens.citizen),
            "query($id: ID!) { node(id: $id) { id ... on Case { sagsnummer title } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        again["data"]["node"]["sagsnummer"], first["sagsnummer"],
        "{again:#}"
    );
    assert_eq!(again["data"]["node"]["title"], first["title"]);
}

const NESTED: &str = "query($cpr: String!) { party(cpr: $cpr) { name cases(first: 200) { totalCount nodes { systemId sagsnummer documents(first: 1000) { totalCount nodes { aktnummer title kind letterDate } } parties { role party { name cpr } } } } } }";

#[tokio::test]
async fn a_nested_query_over_100_cases_costs_at_most_two_backend_calls_per_system_per_level() {
    let app = spawn_app(params_with_demo_cases(100)).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let before = app.reset_calls();
    let answer = app
        .gql(
            Some(&app.tokens.caseworker_all),
            NESTED,
            json!({ "cpr": cpr }),
        )
        .await;
    assert_eq!(answer["errors"], Value::Null, "{answer:#}");
    let cases = answer["data"]["party"]["cases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(cases.len(), 100);
    let docs: u64 = cases
        .iter()
        .filter_map(|c| c["documents"]["totalCount"].as_u64())
        .sum();
    let expected_docs: usize = demo_citizen_cases(app.municipality())
        .iter()
        .map(|c| c.documents.len())
        .sum();
    assert_eq!(docs as usize, expected_docs);

    // Two levels reach the systems: the party's cases, then the documents of those cases
    // (parties come with the cases). Each level may cost at most two calls per system.
    for server in &app.systems.servers {
        let calls = server.control.calls();
        let levels: [&[&str]; 2] = match server.system.as_str() {
            "esdh" | "esdh-tm" => [&["fremsoeg:Sag"], &["fremsoeg:DokumentIndeks"]],
            _ => [&["GET /api/v1/cases"], &["GET /api/v1/documents"]],
        };
        for ops in levels {
            let used: u64 = ops
                .iter()
                .map(|op| calls.get(*op).copied().unwrap_or(0))
                .sum();
            assert!(
                (1..=2).contains(&used),
                "{}: {ops:?} called {used} times ({calls:?})",
                server.system
            );
        }
        let total: u64 = calls.values().sum();
        assert!(total <= 4, "{}: {calls:?}", server.system);
    }
    // The SQL system: statements run, two for the cases with their parties, one for documents.
    let sql = app.calls()["skole"] - before["skole"];
    assert!((3..=4).contains(&sql), "skole ran {sql} statements");
}

#[tokio::test]
async fn a_failing_system_gives_partial_data_and_an_error_naming_it() {
    let app = spawn_app(Params::small()).await;
    app.server("jobcenter")
        .control
        .set_fault(Fault::ServerError);
    let answer = app
        .gql(Some(&app.tokens.citizen), MY_CASES, json!({}))
        .await;
    let nodes = answer["data"]["myCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let systems: BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| n["systemId"].as_str())
        .collect();
    assert_eq!(
        systems,
        BTreeSet::from(["esdh", "esdh-tm", "omsorg", "skole"]),
        "{answer:#}"
    );
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{answer:#}");
    assert_eq!(errors[0]["extensions"]["code"], "CASE_SYSTEM_UNAVAILABLE");
    assert_eq!(errors[0]["extensions"]["system"], "jobcenter");
    assert_eq!(errors[0]["path"], json!(["myCases"]));

    // The system recovers: the next query is whole again.
    app.server("jobcenter").control.set_fault(Fault::None);
    let answer = app
        .gql(Some(&app.tokens.citizen), MY_CASES, json!({}))
        .await;
    assert_eq!(answer["errors"], Value::Null, "{answer:#}");
}

#[tokio::test]
async fn documents_of_a_failing_system_are_null_with_the_error_and_the_rest_answer() {
    let app = spawn_app(Params::small()).await;
    // The SOAP system answers the case lookup, then breaks for the documents level.
    let control = app.server("esdh").control.clone();
    let query = "{ myCases(first: 100) { nodes { systemId documents { totalCount } } } }";
    control.set_fault_after(1, Fault::Truncated);
    let answer = app.gql(Some(&app.tokens.citizen), query, json!({})).await;
    let codes = codes(&answer);
    assert!(
        codes.iter().all(|c| c == "CASE_SYSTEM_UNAVAILABLE") && !codes.is_empty(),
        "{answer:#}"
    );
    let other_systems_answered = answer["data"]["myCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .any(|n| {
            n["systemId"] == "skole" && n["documents"]["totalCount"].as_u64().is_some_and(|c| c > 0)
        });
    assert!(other_systems_answered, "{answer:#}");
    let esdh_documents_null = answer["data"]["myCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|n| n["systemId"] == "esdh")
        .all(|n| n["documents"].is_null());
    assert!(esdh_documents_null, "{answer:#}");
}

#[tokio::test]
async fn a_sql_system_with_a_broken_configured_query_fails_alone() {
    let app = crate::helpers::spawn_app_with(Params::small(), |settings| {
        for s in &mut settings.systems {
            if let Some(sql) = &mut s.sql {
                sql.queries.documents_of_cases =
                    "SELECT no_such_column FROM dokument WHERE sag_id IN (:ids)".into();
            }
        }
    })
    .await;
    let answer = app
        .gql(Some(&app.tokens.citizen), MY_CASES, json!({}))
        .await;
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "{answer:#}");
    assert!(
        errors.iter().all(|e| e["extensions"]["system"] == "skole"
            && e["extensions"]["code"] == "CASE_SYSTEM_UNAVAILABLE"),
        "{answer:#}"
    );
    let esdh_docs = answer["data"]["myCases"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|n| n["systemId"] == "esdh")
        .all(|n| n["documents"]["totalCount"].as_u64().is_some());
    assert!(esdh_docs, "{answer:#}");
}

#[tokio::test]
async fn bad_ids_and_bad_cpr_numbers_are_clear_user_errors() {
    let app = spawn_app(Params::small()).await;
    let t = Some(app.tokens.caseworker_all.as_str());
    let unknown = app
        .gql(t, "{ node(id: \"bm90IGFuIGlk\") { id } }", json!({}))
        .await;
    assert_eq!(codes(&unknown), vec!["BAD_USER_INPUT"], "{unknown:#}");
    // A well-formed id of a case that does not exist.
    let missing_id = schema::ids::GlobalId::Case {
        system: "esdh".into(),
        local_id: "00000000-0000-0000-0000-000000000000".into(),
    }
    .encode();
    let missing = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { title } }",
            json!({ "id": missing_id }),
        )
        .await;
    assert_eq!(codes(&missing), vec!["NOT_FOUND"], "{missing:#}");
    for bad in ["12345", "320199-1234", "0101xx-1234"] {
        let answer = app
            .gql(
                t,
                "query($cpr: String!) { party(cpr: $cpr) { name } }",
                json!({ "cpr": bad }),
            )
            .await;
        assert_eq!(codes(&answer), vec!["BAD_USER_INPUT"], "{bad}: {answer:#}");
    }
}

#[tokio::test]
async fn access_follows_the_viewer() {
    let app = spawn_app(Params::small()).await;
    let m = app.municipality();
    let other = m.citizens[1].cpr.clone();
    let q = "query($cpr: String!) { party(cpr: $cpr) { cpr cases { totalCount nodes { department } } } }";

    let denied = app
        .gql(Some(&app.tokens.citizen), q, json!({ "cpr": other }))
        .await;
    assert_eq!(codes(&denied), vec!["FORBIDDEN"], "{denied:#}");
    let anonymous = app.gql(None, "{ myCases { totalCount } }", json!({})).await;
    assert_eq!(codes(&anonymous), vec!["UNAUTHENTICATED"]);
    let admin = app
        .gql(
            Some(&app.tokens.admin),
            "{ myCases { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&admin), vec!["FORBIDDEN"]);

    // A caseworker sees the CPR masked and only their department's cases.
    let own = m.demo_citizen().cpr.clone();
    let cw = app
        .gql(Some(&app.tokens.caseworker_bf), q, json!({ "cpr": own }))
        .await;
    assert_eq!(cw["errors"], Value::Null, "{cw:#}");
    assert_eq!(
        cw["data"]["party"]["cpr"],
        json!(format!("{}-XXXX", &own[..6]))
    );
    let departments: BTreeSet<&str> = cw["data"]["party"]["cases"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["department"].as_str())
        .collect();
    assert!(
        departments.iter().all(|d| *d == "Børn og Familie"),
        "{departments:?}"
    );
    // The citizen sees their own number in full.
    let me = app
        .gql(Some(&app.tokens.citizen), q, json!({ "cpr": own }))
        .await;
    assert_eq!(me["data"]["party"]["cpr"], json!(own));
}

#[tokio::test]
async fn case_systems_report_health_and_a_dead_one_is_down() {
    let app = spawn_app(Params::small()).await;
    app.server("omsorg").control.set_fault(Fault::ServerError);
    let answer = app
        .gql(
            Some(&app.tokens.admin),
            "{ caseSystems { systemId kind health { up detail } } }",
            json!({}),
        )
        .await;
    let systems = answer["data"]["caseSystems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(systems.len(), 5, "{answer:#}");
    for s in systems {
        let expected_up = s["systemId"] != "omsorg";
        assert_eq!(s["health"]["up"], json!(expected_up), "{s}");
    }
}

#[tokio::test]
async fn the_same_person_in_five_systems_is_one_party() {
    let app = spawn_app(Params::small()).await;
    let q = "{ myCases { nodes { systemId parties { party { id cpr name } } } } }";
    let answer = app.gql(Some(&app.tokens.citizen), q, json!({})).await;
    assert_eq!(answer["errors"], Value::Null, "{answer:#}");
    let me = app.municipality().demo_citizen().cpr.clone();
    let mut ids_by_system: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for case in answer["data"]["myCases"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for p in case["parties"].as_array().into_iter().flatten() {
            if p["party"]["cpr"] == json!(me) {
                let system = case["systemId"].as_str().unwrap_or_default().to_owned();
                let id = p["party"]["id"].as_str().unwrap_or_default().to_owned();
                ids_by_system.entry(system).or_default().insert(id);
            }
        }
    }
    assert_eq!(ids_by_system.len(), 5, "{ids_by_system:?}");
    let all: BTreeSet<&String> = ids_by_system.values().flatten().collect();
    assert_eq!(
        all.len(),
        1,
        "one id for the citizen across systems: {ids_by_system:?}"
    );
    // That id resolves to the citizen with all their cases.
    let id = all.into_iter().next().cloned().unwrap_or_default();
    let q = "query($id: ID!) { node(id: $id) { ... on Party { cases { totalCount } } } }";
    let node = app
        .gql(Some(&app.tokens.citizen), q, json!({ "id": id }))
        .await;
    let expected = json!(Params::small().demo_citizen_cases);
    assert_eq!(
        node["data"]["node"]["cases"]["totalCount"], expected,
        "{node:#}"
    );
}
