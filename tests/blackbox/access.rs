//! Who may see what (every role × object × department/clearance/consent), the audit log and
//! its hash chain, and consents.

use api::auth::DevIdentity;
use playground::municipality::{Level, Params, SimCase};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, codes, spawn_app};

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Normal => "IkkeFortrolig",
        Level::Confidential => "Fortrolig",
        Level::Sensitive => "Foelsom",
        Level::Vip => "Vip",
    }
}

fn lower(level: Level) -> Option<Level> {
    match level {
        Level::Normal => None,
        Level::Confidential => Some(Level::Normal),
        Level::Sensitive => Some(Level::Confidential),
        Level::Vip => Some(Level::Sensitive),
    }
}

/// The demo citizen's most sensitive case (so "too low a clearance" can be tested).
fn target(app: &TestApp) -> SimCase {
    let m = app.municipality();
    let mut theirs: Vec<&SimCase> = m
        .cases
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .collect();
    theirs.sort_by_key(|c| std::cmp::Reverse(c.level));
    theirs[0].clone()
}

fn department_name(app: &TestApp, code: &str) -> String {
    app.municipality()
        .department(code)
        .map(|d| d.name.to_owned())
        .unwrap_or_default()
}

async fn register_consent(
    app: &TestApp,
    grantee: &str,
    departments: Option<Vec<String>>,
    from: &str,
    until: &str,
) -> Value {
    let q = "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { id active } } }";
    let input = json!({ "granteeSubject": grantee, "granteeName": format!("Advokat {grantee}"), "departments": departments, "validFrom": from, "validUntil": until });
    app.gql(Some(&app.tokens.citizen), q, json!({ "input": input }))
        .await
}

/// Global ids of the target case and its first document, as seen by the citizen.
async fn ids(app: &TestApp, sagsnummer: &str) -> (String, String) {
    let answer = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myCases { nodes { id sagsnummer documents(first: 1) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let case = answer["data"]["myCases"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["sagsnummer"] == sagsnummer)
        .cloned()
        .unwrap_or_else(|| panic!("target case not among the citizen's: {answer:#}"));
    (
        case["id"].as_str().unwrap_or_default().to_owned(),
        case["documents"]["nodes"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    Refused(&'static str),
    /// Not an error, but the case is not in the list.
    Hidden,
}

#[tokio::test]
async fn every_role_sees_exactly_what_it_may_through_every_path() {
    let app = spawn_app(Params::small()).await;
    let case = target(&app);
    let own_dept = department_name(&app, case.department);
    let other_dept = app
        .municipality()
        .departments
        .iter()
        .map(|d| d.name.to_owned())
        .find(|d| *d != own_dept)
        .unwrap_or_default();
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let (case_id, doc_id) = ids(&app, &case.sagsnummer).await;
    assert!(!doc_id.is_empty(), "target case has documents");
    // Someone who is no party to the target case.
    let stranger = app
        .municipality()
        .citizens
        .iter()
        .find(|c| c.id != case.primary && !case.secondary.contains(&c.id))
        .map(|c| c.cpr.clone())
        .unwrap_or_default();

    let now = chrono::Utc::now();
    let iso = |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339();
    let day = chrono::Duration::days(1);
    for (grantee, departments, from, until) in [
        ("tp-all", None, now - day, now + day * 30),
        (
            "tp-other-dept",
            Some(vec![other_dept.clone()]),
            now - day,
            now + day * 30,
        ),
        ("tp-expired", None, now - day * 10, now - day),
    ] {
        let r = register_consent(&app, grantee, departments, &iso(from), &iso(until)).await;
        assert_eq!(r["errors"], Value::Null, "{r:#}");
    }

    let cw = |departments: Vec<String>, level: Level| DevIdentity::Caseworker {
        departments,
        clearance: level_name(level).to_owned(),
    };
    let mut viewers: Vec<(&str, Option<String>, Expect, Expect)> = vec![
        // (label, token, via node/document id, via party{cases})
        (
            "citizen (own)",
            Some(app.tokens.citizen.clone()),
            Expect::Allowed,
            Expect::Allowed,
        ),
        (
            "citizen (other)",
            Some(app.token(
                "other",
                DevIdentity::Citizen {
                    cpr: stranger.clone(),
                },
            )),
            Expect::Refused("NOT_FOUND"),
            Expect::Refused("FORBIDDEN"),
        ),
        (
            "third party with consent",
            Some(app.token("tp-all", DevIdentity::ThirdParty { name: "A".into() })),
            Expect::Allowed,
            Expect::Allowed,
        ),
        (
            "third party, other department",
            Some(app.token(
                "tp-other-dept",
                DevIdentity::ThirdParty { name: "B".into() },
            )),
            Expect::Refused("NOT_FOUND"),
            Expect::Hidden,
        ),
        (
            "third party, expired consent",
            Some(app.token("tp-expired", DevIdentity::ThirdParty { name: "C".into() })),
            Expect::Refused("NOT_FOUND"),
            Expect::Refused("FORBIDDEN"),
        ),
        (
            "third party, no consent",
            Some(app.token("tp-none", DevIdentity::ThirdParty { name: "D".into() })),
            Expect::Refused("NOT_FOUND"),
            Expect::Refused("FORBIDDEN"),
        ),
        (
            "caseworker, department and clearance",
            Some(app.token("cw-ok", cw(vec![own_dept.clone()], case.level))),
            Expect::Allowed,
            Expect::Allowed,
        ),
        (
            "caseworker, other department",
            Some(app.token("cw-other", cw(vec![other_dept.clone()], Level::Vip))),
            Expect::Refused("NOT_FOUND"),
            Expect::Hidden,
        ),
        (
            "admin",
            Some(app.tokens.admin.clone()),
            Expect::Refused("FORBIDDEN"),
            Expect::Refused("FORBIDDEN"),
        ),
        (
            "anonymous",
            None,
            Expect::Refused("UNAUTHENTICATED"),
            Expect::Refused("UNAUTHENTICATED"),
        ),
    ];
    if let Some(low) = lower(case.level) {
        viewers.push((
            "caseworker, clearance too low",
            Some(app.token("cw-low", cw(vec![own_dept.clone()], low))),
            Expect::Refused("NOT_FOUND"),
            Expect::Hidden,
        ));
    }

    let mut failures = Vec::new();
    for (label, token, by_id, by_party) in &viewers {
        let token = token.as_deref();
        for (path, id) in [("case id", &case_id), ("document id", &doc_id)] {
            let answer = app
                .gql(
                    token,
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            let got = match codes(&answer).first() {
                None if !answer["data"]["node"].is_null() => Expect::Allowed,
                None => Expect::Hidden,
                Some(code) => Expect::Refused(match code.as_str() {
                    "NOT_FOUND" => "NOT_FOUND",
                    "FORBIDDEN" => "FORBIDDEN",
                    "UNAUTHENTICATED" => "UNAUTHENTICATED",
                    _ => "OTHER",
                }),
            };
            if got != *by_id {
                failures.push(format!(
                    "{label} via {path}: expected {by_id:?}, got {got:?}: {answer}"
                ));
            }
        }
        let answer = app
            .gql(
                token,
                "query($cpr: String!) { party(cpr: $cpr) { cases { nodes { sagsnummer } } } }",
                json!({ "cpr": cpr }),
            )
            .await;
        let listed = answer["data"]["party"]["cases"]["nodes"]
            .as_array()
            .is_some_and(|n| {
                n.iter()
                    .any(|c| c["sagsnummer"] == case.sagsnummer.as_str())
            });
        let got = match codes(&answer).first() {
            Some(code) if code == "FORBIDDEN" => Expect::Refused("FORBIDDEN"),
            Some(code) if code == "UNAUTHENTICATED" => Expect::Refused("UNAUTHENTICATED"),
            Some(_) => Expect::Refused("OTHER"),
            None if listed => Expect::Allowed,
            None => Expect::Hidden,
        };
        if got != *by_party {
            failures.push(format!(
                "{label} via party{{cases}}: expected {by_party:?}, got {got:?}: {answer}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn guessing_another_citizens_id_reveals_nothing() {
    let app = spawn_app(Params::small()).await;
    let m = app.municipality();
    // A case the demo citizen is not a party to, addressed by a well-formed id.
    let foreign = m
        .cases
        .iter()
        .find(|c| c.primary != 0 && !c.secondary.contains(&0))
        .cloned()
        .unwrap_or_else(|| panic!("a foreign case"));
    let system = m
        .department(foreign.department)
        .map(|d| d.system)
        .unwrap_or_default();
    let local = match system {
        "skole" => playground::sim::sql::sag_id(&foreign).to_string(),
        "esdh" | "esdh-tm" => foreign.uuid.to_string(),
        other => format!("{}-{:06}", other[..2].to_uppercase(), foreign.id),
    };
    let id = schema::ids::GlobalId::Case {
        system: system.to_owned(),
        local_id: local,
    }
    .encode();
    let answer = app
        .gql(
            Some(&app.tokens.citizen),
            "query($id: ID!) { node(id: $id) { ... on Case { title } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&answer), vec!["NOT_FOUND"], "{answer:#}");
    assert!(
        !answer.to_string().contains(&foreign.title),
        "the title must not leak: {answer}"
    );
}

#[tokio::test]
async fn caseworker_reads_are_audited_with_request_and_client_and_the_chain_verifies() {
    let app = spawn_app(Params::small()).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let q = "query($cpr: String!) { party(cpr: $cpr) { cpr masked: cpr cases { nodes { documents { totalCount } } } } }";
    let _ = app
        .gql(Some(&app.tokens.caseworker_all), q, json!({ "cpr": cpr }))
        .await;
    let reveal = app.gql(Some(&app.tokens.caseworker_all), "query($cpr: String!) { party(cpr: $cpr) { cpr(purpose: \"Partshøring i sag om tilsyn\") } }", json!({ "cpr": cpr })).await;
    assert_eq!(
        reveal["data"]["party"]["cpr"],
        json!(cpr),
        "a purpose reveals the number: {reveal:#}"
    );
    // A citizen's refused look-up of someone else is a denial event.
    let other = app.municipality().citizens[1].cpr.clone();
    let _ = app
        .gql(
            Some(&app.tokens.citizen),
            "query($cpr: String!) { party(cpr: $cpr) { name } }",
            json!({ "cpr": other }),
        )
        .await;

    let events = app
        .gql(Some(&app.tokens.admin), "{ auditEvents(first: 1000) { totalCount nodes { seq actor role action objectId purpose requestId clientAddr outcome } } }", json!({}))
        .await;
    let nodes = events["data"]["auditEvents"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let count = |action: &str| {
        nodes
            .iter()
            .filter(|n| n["action"] == action && n["actor"] == "cw-all")
            .count()
    };
    // Two look-ups (the listing and the reveal), one party.read each.
    assert_eq!(count("party.read"), 2, "{events:#}");
    // Each look-up reads the party's cases (the second to find the party's name).
    assert_eq!(
        count("case.read"),
        2 * Params::small().demo_citizen_cases,
        "{events:#}"
    );
    let expected_docs: usize = app
        .municipality()
        .cases
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .map(|c| c.documents.len())
        .sum();
    assert_eq!(count("document.read"), expected_docs);
    let revealed: Vec<&Value> = nodes
        .iter()
        .filter(|n| n["action"] == "party.cpr_revealed")
        .collect();
    assert_eq!(revealed.len(), 1);
    assert_eq!(revealed[0]["purpose"], "Partshøring i sag om tilsyn");
    assert!(
        nodes.iter().any(|n| n["action"] == "access.denied"
            && n["actor"] == "citizen"
            && n["outcome"] == "denied"),
        "{events:#}"
    );
    assert!(
        nodes
            .iter()
            .all(|n| n["requestId"].is_string() && n["clientAddr"] == "127.0.0.1")
    );
    // No CPR number is stored in the audit log.
    assert!(
        !events.to_string().contains(&cpr.replace('-', "")) && !events.to_string().contains(&cpr)
    );

    let store = app.store().await;
    let report = schema::services::audit::verify(&store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.problem, None);
    assert!(report.rows as usize >= nodes.len());
}

#[tokio::test]
async fn audit_verify_finds_a_changed_and_a_deleted_row() {
    let app = spawn_app(Params::small()).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let _ = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "query($cpr: String!) { party(cpr: $cpr) { cases { totalCount } } }",
            json!({ "cpr": cpr }),
        )
        .await;
    let store = app.store().await;
    let intact = api::audit_verify(&store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(intact.starts_with("audit log intact"), "{intact}");

    store
        .execute_unprepared("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let changed = api::audit_verify(&store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        changed.contains("ALTERED") && changed.contains("event 2") && changed.contains("changed"),
        "{changed}"
    );

    store
        .execute_unprepared("UPDATE audit_event SET actor = 'cw-all' WHERE seq = 2")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        api::audit_verify(&store)
            .await
            .unwrap_or_default()
            .starts_with("audit log intact")
    );
    store
        .execute_unprepared("DELETE FROM audit_event WHERE seq = 3")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let deleted = api::audit_verify(&store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        deleted.contains("ALTERED") && deleted.contains("event 3") && deleted.contains("missing"),
        "{deleted}"
    );
}

#[tokio::test]
async fn without_an_audit_log_a_caseworker_gets_no_data_and_a_citizen_still_does() {
    let app = spawn_app(Params::small()).await;
    let store = app.store().await;
    store
        .execute_unprepared("DROP TABLE audit_event")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let answer = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "query($cpr: String!) { party(cpr: $cpr) { name cases { nodes { title } } } }",
            json!({ "cpr": cpr }),
        )
        .await;
    assert!(
        codes(&answer).contains(&"AUDIT_UNAVAILABLE".to_owned()),
        "{answer:#}"
    );
    assert!(
        answer["data"]["party"].is_null(),
        "no data without the audit event: {answer:#}"
    );
    let own = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myCases { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own["data"]["myCases"]["totalCount"],
        json!(Params::small().demo_citizen_cases),
        "{own:#}"
    );
    // A change whose audit event cannot be written is not made.
    let until = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let r = register_consent(
        &app,
        "lawyer-x",
        None,
        &chrono::Utc::now().to_rfc3339(),
        &until,
    )
    .await;
    assert_eq!(codes(&r), vec!["AUDIT_UNAVAILABLE"], "{r:#}");
    let listed = app
        .gql(Some(&app.tokens.citizen), "{ consents { id } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["consents"],
        json!([]),
        "no consent without its audit event: {listed:#}"
    );
}

#[tokio::test]
async fn a_revoked_or_expired_consent_stops_access() {
    let app = spawn_app(Params::small()).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let now = chrono::Utc::now();
    let r = register_consent(
        &app,
        "lawyer-1",
        None,
        &(now - chrono::Duration::hours(1)).to_rfc3339(),
        &(now + chrono::Duration::days(7)).to_rfc3339(),
    )
    .await;
    let id = r["data"]["registerConsent"]["consent"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        r["data"]["registerConsent"]["consent"]["active"],
        json!(true),
        "{r:#}"
    );
    let lawyer = app.token(
        "lawyer-1",
        DevIdentity::ThirdParty {
            name: "Advokat".into(),
        },
    );
    let q = "query($cpr: String!) { party(cpr: $cpr) { cpr cases { totalCount } } }";
    let before = app.gql(Some(&lawyer), q, json!({ "cpr": cpr })).await;
    assert_eq!(
        before["data"]["party"]["cases"]["totalCount"],
        json!(Params::small().demo_citizen_cases),
        "{before:#}"
    );
    assert_eq!(
        before["data"]["party"]["cpr"],
        json!(cpr),
        "the citizen's own number is shown to their representative"
    );

    // Only the citizen (or an admin) can revoke; a caseworker cannot.
    let revoke = "mutation($id: ID!) { revokeConsent(id: $id) { consent { active revokedAt } } }";
    let by_cw = app
        .gql(
            Some(&app.tokens.caseworker_all),
            revoke,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&by_cw), vec!["NOT_FOUND"]);
    let revoked = app
        .gql(Some(&app.tokens.citizen), revoke, json!({ "id": id }))
        .await;
    assert_eq!(
        revoked["data"]["revokeConsent"]["consent"]["active"],
        json!(false),
        "{revoked:#}"
    );
    let after = app.gql(Some(&lawyer), q, json!({ "cpr": cpr })).await;
    assert_eq!(codes(&after), vec!["FORBIDDEN"], "{after:#}");

    // A citizen cannot register a consent in someone else's name.
    let forged = app
        .gql(
            Some(&app.tokens.citizen),
            "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { id } } }",
            json!({ "input": { "citizenCpr": app.municipality().citizens[1].cpr, "granteeSubject": "x", "granteeName": "x", "validUntil": (now + chrono::Duration::days(1)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(codes(&forged), vec!["FORBIDDEN"]);
}
