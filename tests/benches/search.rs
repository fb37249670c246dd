//! Benchmark: case search over 1,000,000 indexed cases.
//!
//! `cargo bench -p tests --bench search` — fills a fresh SQLite store (and, when
//! `SAGSHUB_TEST_POSTGRES_URL` is set, a fresh PostgreSQL database) with synthetic cases made
//! from the synthetic municipality's names, departments, KLE subjects and document titles
//! (`schema::services::index::fill`), then runs typical searches through the same service the
//! API uses (`index::search::search`: page of 20 + `COUNT(*)`, scope in the SQL) and prints
//! p50/p95 per query type. `SAGSHUB_BENCH_CASES` changes the size (default 1,000,000),
//! `SAGSHUB_BENCH_RUNS` the runs per query type (default 200).

use std::time::{Duration, Instant};

use api::settings::Settings;
use connectors::{ProgressStatus, Sensitivity};
use playground::municipality::{Params, generate};
use schema::services::index::fill::{self, Vocabulary};
use schema::services::index::search::{Filter, Scope, search};
use schema::services::index::text::ParsedQuery;
use sea_orm::{ConnectionTrait, DatabaseConnection};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn vocabulary() -> Vocabulary {
    let m = generate(&Params {
        seed: 2026,
        cases: 2_000,
        citizens: 3_000,
        demo_citizen_cases: 6,
        include_largest_case: false,
    });
    let mut first: Vec<String> = m.citizens.iter().map(|c| c.first_name.clone()).collect();
    let mut last: Vec<String> = m.citizens.iter().map(|c| c.last_name.clone()).collect();
    let mut docs: Vec<String> = m
        .cases
        .iter()
        .flat_map(|c| c.documents.iter().map(|d| d.title.clone()))
        .collect();
    for list in [&mut first, &mut last, &mut docs] {
        list.sort();
        list.dedup();
    }
    Vocabulary {
        departments: m
            .departments
            .iter()
            .map(|d| fill::Department {
                name: d.name.to_owned(),
                system: d.system.to_owned(),
                topics: d
                    .kle_topics
                    .iter()
                    .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
                    .collect(),
            })
            .collect(),
        first_names: first,
        last_names: last,
        document_titles: docs,
        title_suffixes: [
            "revurdering",
            "ansøgning",
            "klage over afgørelse",
            "opfølgning",
            "genoptagelse",
            "partshøring",
            "aktindsigt",
            "vedr. ægtefælle",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
    }
}

struct Kind {
    name: &'static str,
    queries: Vec<(String, Filter, Scope)>,
}

fn kinds(vocab: &Vocabulary, cases: u64, runs: usize) -> Vec<Kind> {
    let all = Scope {
        departments: vocab.departments.iter().map(|d| d.name.clone()).collect(),
        clearance: Sensitivity::Vip,
    };
    let two = Scope {
        departments: vec!["Børn og Familie".into(), "Borgerservice".into()],
        clearance: Sensitivity::Fortrolig,
    };
    let pick = |list: &[String], i: usize| list[(i * 7919 + 13) % list.len()].clone();
    let name = |i: usize| {
        format!(
            "{} {}",
            pick(&vocab.first_names, i),
            pick(&vocab.last_names, i * 31 + 5)
        )
    };
    let stems = [
        "børnefaglige undersøgelser",
        "anbringelse hjem",
        "hjemmehjælp revurd",
        "byggetilladelse carp",
        "sygedagpenge opfølg",
        "specialundervisning ansøg",
        "boligstøtte klage",
        "kontanthjælp partshør",
    ];
    let n = |i: usize| (i as u64 * 104_729 + 17) % cases.max(1);
    let mut out = vec![
        Kind {
            name: "name (first + last, last as prefix)",
            queries: (0..runs)
                .map(|i| (name(i), Filter::default(), all.clone()))
                .collect(),
        },
        Kind {
            name: "stem + prefix",
            queries: (0..runs)
                .map(|i| {
                    (
                        stems[i % stems.len()].to_owned(),
                        Filter::default(),
                        all.clone(),
                    )
                })
                .collect(),
        },
        Kind {
            name: "sagsnummer exact",
            queries: (0..runs)
                .map(|i| {
                    let (case, _) = fill::synthetic_case(vocab, 1, n(i));
                    (case.sagsnummer, Filter::default(), all.clone())
                })
                .collect(),
        },
        Kind {
            name: "CPR exact",
            queries: (0..runs)
                .map(|i| {
                    let (case, _) = fill::synthetic_case(vocab, 1, n(i));
                    let key = case.parties[0].party.key.clone();
                    let cpr = key.map(|k| k.display_number()).unwrap_or_default();
                    (cpr, Filter::default(), all.clone())
                })
                .collect(),
        },
        Kind {
            name: "KLE 27.* + family name",
            queries: (0..runs)
                .map(|i| {
                    let filter = Filter {
                        kle_prefix: Some("27".into()),
                        statuses: Some(vec![ProgressStatus::Oplyst, ProgressStatus::Opstaaet]),
                        ..Filter::default()
                    };
                    (pick(&vocab.last_names, i), filter, all.clone())
                })
                .collect(),
        },
        Kind {
            name: "name, caseworker with 2 departments (Fortrolig)",
            queries: (0..runs)
                .map(|i| (name(i + 1), Filter::default(), two.clone()))
                .collect(),
        },
    ];
    out.retain(|k| !k.queries.is_empty());
    out
}

async fn run(label: &str, db: &DatabaseConnection, vocab: &Vocabulary, cases: u64, runs: usize) {
    let started = Instant::now();
    fill::fill(db, vocab, 1, cases, 500)
        .await
        .unwrap_or_else(|e| panic!("fill: {e}"));
    let filled = started.elapsed();
    let tidy = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => vec![
            "INSERT INTO case_index_fts(case_index_fts) VALUES('optimize')",
            "ANALYZE",
        ],
        _ => vec![
            "VACUUM ANALYZE case_index",
            "VACUUM ANALYZE case_index_party",
        ],
    };
    for sql in tidy {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    println!(
        "{label}: {cases} cases indexed in {:.1} s (+ optimise {:.1} s)",
        filled.as_secs_f64(),
        (started.elapsed() - filled).as_secs_f64()
    );
    println!(
        "{:<50} {:>9} {:>9} {:>9} {:>12}",
        "query", "p50 ms", "p95 ms", "max ms", "mean total"
    );
    for kind in kinds(vocab, cases, runs) {
        // Warm the caches once per kind.
        for (q, f, s) in kind.queries.iter().take(5) {
            let _ = search(db, s, &ParsedQuery::parse(q), f, 0, 20).await;
        }
        let mut times = Vec::with_capacity(kind.queries.len());
        let mut totals = 0u64;
        for (q, f, s) in &kind.queries {
            let t = Instant::now();
            let page = search(db, s, &ParsedQuery::parse(q), f, 0, 20)
                .await
                .unwrap_or_else(|e| panic!("search {q:?}: {e}"));
            times.push(t.elapsed());
            totals += page.total;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        println!(
            "{:<50} {:>9.2} {:>9.2} {:>9.2} {:>12.0}",
            kind.name,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            totals as f64 / times.len().max(1) as f64
        );
    }
}

#[tokio::main]
async fn main() {
    let cases = env_or("SAGSHUB_BENCH_CASES", 1_000_000);
    let runs = env_or("SAGSHUB_BENCH_RUNS", 200) as usize;
    let vocab = vocabulary();
    let dir = std::env::temp_dir().join(format!("sagshub-bench-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut settings = Settings::default();
    settings.store.url = api::demo::sqlite_url(&dir.join("hub.sqlite"));
    let db = api::connect_store(&settings)
        .await
        .unwrap_or_else(|e| panic!("store: {e:#}"));
    run("SQLite (FTS5)", &db, &vocab, cases, runs).await;
    db.close().await.ok();
    let _ = std::fs::remove_dir_all(&dir);

    let Ok(base) = std::env::var("SAGSHUB_TEST_POSTGRES_URL") else {
        println!("PostgreSQL: skipped (SAGSHUB_TEST_POSTGRES_URL not set)");
        return;
    };
    let name = format!("sagshub_bench_search_{}", std::process::id());
    let admin = sea_orm::Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{base}: {e}"));
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
    settings.store.url = url;
    let pg = api::connect_store(&settings)
        .await
        .unwrap_or_else(|e| panic!("store: {e:#}"));
    run("PostgreSQL (tsvector, danish)", &pg, &vocab, cases, runs).await;
    pg.close().await.ok();
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await;
}
