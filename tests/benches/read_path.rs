//! Benchmark: the nested cross-system query over 100 cases (party → cases → documents +
//! parties) against the five simulated systems on loopback.
//!
//! `cargo bench -p tests --bench read_path` — prints the median and p90 latency of the GraphQL
//! query, the backend calls each system received for one query, and the same reads made
//! directly through the connectors, so the hub's own overhead is the difference of medians.

#[allow(dead_code)]
#[path = "../blackbox/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use connectors::{PartyKey, Registry};
use serde_json::json;

const NESTED: &str = "query($cpr: String!) { party(cpr: $cpr) { name cases(first: 200) { totalCount nodes { systemId sagsnummer documents(first: 1000) { totalCount nodes { aktnummer title kind letterDate } } parties { role party { name cpr } } } } } }";
const RUNS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The same two levels of reads, made directly through the connectors, all systems at once.
async fn direct(registry: &Registry, key: &PartyKey) -> usize {
    let per_system = registry.systems().map(|system| async move {
        let cases = system
            .cases_for_parties(std::slice::from_ref(key))
            .await
            .unwrap_or_default();
        let ids: Vec<String> = cases.iter().map(|c| c.local_id.clone()).collect();
        system
            .documents_of_cases(&ids)
            .await
            .map(|d| d.len())
            .unwrap_or(0)
    });
    futures::future::join_all(per_system)
        .await
        .into_iter()
        .sum()
}

#[tokio::main]
async fn main() {
    let app = helpers::spawn_app(helpers::params_with_demo_cases(100)).await;
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let token = app.tokens.caseworker_all.clone();

    for _ in 0..3 {
        let warm = app.gql(Some(&token), NESTED, json!({ "cpr": cpr })).await;
        assert_eq!(warm["errors"], serde_json::Value::Null, "{warm:#}");
    }
    let before = app.reset_calls();
    let one = app.gql(Some(&token), NESTED, json!({ "cpr": cpr })).await;
    let after = app.calls();
    let cases = one["data"]["party"]["cases"]["totalCount"]
        .as_u64()
        .unwrap_or(0);

    let mut hub = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let _ = app.gql(Some(&token), NESTED, json!({ "cpr": cpr })).await;
        hub.push(t.elapsed());
    }
    hub.sort();
    // The same query as the citizen themself: the same data, but no audit events to write.
    let citizen = app.tokens.citizen.clone();
    let mut unaudited = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let _ = app.gql(Some(&citizen), NESTED, json!({ "cpr": cpr })).await;
        unaudited.push(t.elapsed());
    }
    unaudited.sort();

    let registry = Registry::from_config(&app.systems.configs)
        .await
        .unwrap_or_else(|e| panic!("registry: {e}"));
    let key = PartyKey::cpr(&cpr).unwrap_or_else(|| panic!("demo CPR"));
    let mut base = Vec::with_capacity(RUNS);
    let mut documents = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        documents = direct(&registry, &key).await;
        base.push(t.elapsed());
    }
    base.sort();

    println!("nested query: {cases} cases, {documents} documents, 5 systems, {RUNS} runs");
    println!(
        "  via GraphQL (HTTP, JSON):  median {:>7.2} ms   p90 {:>7.2} ms",
        ms(percentile(&hub, 0.5)),
        ms(percentile(&hub, 0.9))
    );
    println!(
        "  as the citizen (no audit):  median {:>7.2} ms   p90 {:>7.2} ms",
        ms(percentile(&unaudited, 0.5)),
        ms(percentile(&unaudited, 0.9))
    );
    println!(
        "  connectors directly:       median {:>7.2} ms   p90 {:>7.2} ms",
        ms(percentile(&base, 0.5)),
        ms(percentile(&base, 0.9))
    );
    println!(
        "  hub overhead (difference of medians): {:.2} ms",
        ms(percentile(&hub, 0.5)) - ms(percentile(&base, 0.5))
    );
    println!("  backend calls for one query (SOAP/REST: requests received; SQL: statements):");
    for (system, count) in &after {
        println!(
            "    {system:<10} {}",
            count - before.get(system).copied().unwrap_or(0)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
