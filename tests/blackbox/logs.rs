//! No CPR number reaches the logs: a session of queries at debug level, the captured output
//! grepped for CPR-shaped strings.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use playground::municipality::Params;
use playground::sim::Fault;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::helpers::spawn_app;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The test binary's one global subscriber: everything at debug, through the hub's redacting
/// writer, into memory.
fn captured() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,sqlx=debug,hyper=info,h2=info,reqwest=debug",
            ))
            .with_writer(api::logging::Redacting(capture.clone()))
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        capture
    })
}

#[tokio::test]
async fn a_session_of_queries_leaves_no_cpr_number_in_the_logs() {
    let capture = captured();
    let app = spawn_app(Params::small()).await;
    let m = app.municipality();
    let own = m.demo_citizen().cpr.clone();
    let other = m.citizens[2].cpr.clone();
    let q = "query($cpr: String!) { party(cpr: $cpr) { name cpr(purpose: \"tilsyn\") cases { nodes { title documents { totalCount } parties { party { cpr } } } } } }";
    let _ = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myCases { nodes { title } } }",
            json!({}),
        )
        .await;
    let _ = app
        .gql(Some(&app.tokens.citizen), q, json!({ "cpr": other }))
        .await; // refused
    let _ = app
        .gql(Some(&app.tokens.caseworker_all), q, json!({ "cpr": own }))
        .await;
    app.server("jobcenter").control.set_fault(Fault::Truncated);
    app.server("esdh").control.set_fault(Fault::ServerError);
    let _ = app
        .gql(Some(&app.tokens.caseworker_all), q, json!({ "cpr": own }))
        .await;
    let _ = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "query($cpr: String!) { party(cpr: $cpr) { name } }",
            json!({ "cpr": "320199-1234" }),
        )
        .await;
    let _ = app
        .http
        .get(format!(
            "{}/graphql?query=%7Bparty(cpr:%22{own}%22)%7Bname%7D%7D",
            app.base
        ))
        .send()
        .await;

    let text =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        text.contains("graphql request"),
        "the session was logged at debug level"
    );
    let cpr_shaped = regex::Regex::new(r"\b\d{6}[- ]?\d{4}\b").unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<&str> = cpr_shaped.find_iter(&text).map(|m| m.as_str()).collect();
    assert!(
        found.is_empty(),
        "CPR-shaped strings in the logs: {found:?}"
    );
    for citizen in &m.citizens {
        assert!(
            !text.contains(&citizen.cpr) && !text.contains(&citizen.cpr.replace('-', "")),
            "a CPR number reached the logs"
        );
    }
}
