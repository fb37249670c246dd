//! The GraphiQL playground page, its assets and the example operations.
//!
//! The hub serves [`page`] at `/playground` and [`asset`] under an assets path of its choosing
//! (e.g. `/playground/assets/{name}`). Everything the page loads comes from that same origin:
//! the GraphiQL, React and ReactDOM browser bundles are vendored under
//! `playground/assets/graphiql/` (see the README there for versions and how to update them) and
//! compiled into the binary with `include_bytes!`, so the playground works with no internet and
//! no CDN.
//!
//! # Invariants
//! - [`page`] references no other host: only `{assets_base}/{name}` for names in [`ASSET_NAMES`]
//!   and `data:` URLs.
//! - [`asset`] is a fixed match over [`ASSET_NAMES`]; no name maps to the file system, so there
//!   is nothing to traverse.
//! - Caller-supplied strings (endpoint, headers, variables) reach the page only inside an inert
//!   `application/json` script block, with `<`, `>` and `&` escaped, so they cannot end the block
//!   or inject markup. The page has no inline script (it works under `script-src 'self'`).

use serde_json::{Value, json};

/// An example operation shown as a tab in the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// The operation name (also the tab title GraphiQL shows).
    pub name: &'static str,
    /// One line saying what the operation shows.
    pub description: &'static str,
    /// The GraphQL document, from `playground/examples/*.graphql`.
    pub query: &'static str,
}

/// The example operations, in tab order; the first is the one that opens selected.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "MyCases",
        description: "The signed-in citizen's own cases across every case system, with their document titles.",
        query: include_str!("../examples/my_cases.graphql"),
    },
    Example {
        name: "PartyOverview",
        description: "One person by CPR (variable `$cpr`): their cases, each case's documents and parties.",
        query: include_str!("../examples/party_overview.graphql"),
    },
    Example {
        name: "CaseSystems",
        description: "Every connected case system and its health (up, latency, circuit breaker).",
        query: include_str!("../examples/case_systems.graphql"),
    },
    Example {
        name: "SubmitAccessRequest",
        description: "Submit an access request (aktindsigt) as the citizen: all my cases, as a party.",
        query: include_str!("../examples/submit_access_request.graphql"),
    },
    Example {
        name: "MyAccessRequests",
        description: "The citizen's requests: state, deadline, collection progress per system, the bundle and its delivery.",
        query: include_str!("../examples/my_access_requests.graphql"),
    },
    Example {
        name: "ReviewQueue",
        description: "Caseworker: requests awaiting review, with each document's findings and proposals.",
        query: include_str!("../examples/review_queue.graphql"),
    },
    Example {
        name: "ApproveAccessRequest",
        description: "Caseworker: decide a finding and approve (variables `$requestId`, `$findingId`).",
        query: include_str!("../examples/approve_access_request.graphql"),
    },
    Example {
        name: "Viewer",
        description: "Who the hub thinks you are: role, subject and departments.",
        query: include_str!("../examples/viewer.graphql"),
    },
];

/// The names [`asset`] serves, in the order the page loads them.
pub const ASSET_NAMES: &[&str] = &[
    "graphiql.min.css",
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "playground.js",
];

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// A vendored playground asset by file name: its content type and bytes, or `None` for any
/// name not in [`ASSET_NAMES`].
///
/// The bytes are compiled into the binary; serve them with a long cache lifetime if you like,
/// since they change only with a new build.
pub fn asset(name: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match name {
        "graphiql.min.css" => (CSS, include_bytes!("../assets/graphiql/graphiql.min.css")),
        "graphiql.min.js" => (JS, include_bytes!("../assets/graphiql/graphiql.min.js")),
        "react.production.min.js" => (
            JS,
            include_bytes!("../assets/graphiql/react.production.min.js"),
        ),
        "react-dom.production.min.js" => (
            JS,
            include_bytes!("../assets/graphiql/react-dom.production.min.js"),
        ),
        "playground.js" => (JS, include_bytes!("../assets/playground.js")),
        _ => return None,
    })
}

/// The playground HTML page.
///
/// - `endpoint`: where the page POSTs GraphQL requests (e.g. `/graphql`), as JSON with
///   `Accept: application/graphql-response+json, application/json`.
/// - `assets_base`: the path under which [`asset`] is served (e.g. `/playground/assets`); the
///   page loads `{assets_base}/{name}` for each of [`ASSET_NAMES`]. A trailing `/` is ignored.
/// - `default_headers`: JSON text for the headers editor of every tab, e.g.
///   `{"Authorization": "Bearer ..."}`, so a demo visitor can run an example straight away.
/// - `default_variables`: JSON text for the variables editor of the examples that declare
///   variables (e.g. `{"cpr": "..."}` for `PartyOverview`).
///
/// Headers and variables that parse as JSON are pretty-printed; others are shown as given
/// (GraphiQL then reports them as invalid when run). Tabs, history and headers are kept in memory
/// only (`shouldPersistHeaders` is false), so every visit starts from [`EXAMPLES`].
pub fn page(
    endpoint: &str,
    assets_base: &str,
    default_headers: Option<&str>,
    default_variables: Option<&str>,
) -> String {
    let base = html_attr(assets_base.trim_end_matches('/'));
    let headers = default_headers.map(pretty_json);
    let variables = default_variables.map(pretty_json);
    // The default variables go to the tabs that use them (`$cpr`), not to every tab that
    // declares some variable.
    let variable_names: Vec<String> = default_variables
        .and_then(|v| serde_json::from_str::<serde_json::Map<String, Value>>(v).ok())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let tabs: Vec<Value> = EXAMPLES
        .iter()
        .map(|example| {
            let tab_variables = if declares_any(example.query, &variable_names) {
                variables.clone()
            } else {
                None
            };
            json!({
                "query": example.query,
                "variables": tab_variables,
                "headers": headers,
            })
        })
        .collect();
    let config = json!({
        "endpoint": endpoint,
        "headers": headers,
        "tabs": tabs,
    });
    let config = script_safe_json(&config);
    format!(
        r#"<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>sagshub · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{base}/graphiql.min.css">
<style>html, body {{ height: 100%; margin: 0; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Indlæser GraphiQL …</div>
<script type="application/json" id="sagshub-playground-config">{config}</script>
<script src="{base}/react.production.min.js"></script>
<script src="{base}/react-dom.production.min.js"></script>
<script src="{base}/graphiql.min.js"></script>
<script src="{base}/playground.js"></script>
</body>
</html>
"#
    )
}

/// Whether a GraphQL document declares operation variables (`query Name($x: T)`); comments
/// are skipped.
/// Whether `query` (comments aside) uses one of `names` as a variable (`$cpr`).
fn declares_any(query: &str, names: &[String]) -> bool {
    query
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .any(|line| {
            names.iter().any(|n| {
                line.match_indices(&format!("${n}")).any(|(i, m)| {
                    !line[i + m.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            })
        })
}

/// JSON text pretty-printed when it parses, otherwise unchanged.
fn pretty_json(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| text.to_owned())
}

/// JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` (which only
/// occur inside strings) become `\u003c` etc., so nothing can close the element; U+2028/U+2029
/// are escaped too.
fn script_safe_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text escaped for a double-quoted HTML attribute.
fn html_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "/playground/assets";

    /// Every value of `attr="..."` in `html`.
    fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let needle = format!(" {attr}=\"");
        html.match_indices(&needle)
            .map(|(at, _)| {
                let rest = &html[at + needle.len()..];
                &rest[..rest.find('"').expect("closing quote")]
            })
            .collect()
    }

    /// The text of the JSON config block.
    fn config_text(html: &str) -> &str {
        let open = "<script type=\"application/json\" id=\"sagshub-playground-config\">";
        let start = html.find(open).expect("config block") + open.len();
        let len = html[start..]
            .find("</script>")
            .expect("end of config block");
        &html[start..start + len]
    }

    #[test]
    fn page_loads_only_same_origin_assets_that_are_served() {
        let html = page(
            "/graphql",
            "/playground/assets/",
            Some(r#"{"Authorization": "Bearer demo"}"#),
            Some(r#"{"cpr": "0101011234"}"#),
        );
        assert!(!html.contains("http://"), "absolute http URL in page");
        assert!(!html.contains("https://"), "absolute https URL in page");
        assert!(
            !html.contains("//playground"),
            "protocol-relative URL in page"
        );

        let mut referenced = Vec::new();
        for url in attribute_values(&html, "src")
            .into_iter()
            .chain(attribute_values(&html, "href"))
        {
            if url.starts_with("data:") {
                continue;
            }
            let name = url
                .strip_prefix(&format!("{BASE}/"))
                .unwrap_or_else(|| panic!("{url} is not under {BASE}/"));
            assert!(asset(name).is_some(), "{name} is referenced but not served");
            referenced.push(name);
        }
        referenced.sort_unstable();
        let mut all = ASSET_NAMES.to_vec();
        all.sort_unstable();
        assert_eq!(referenced, all, "every asset is referenced exactly once");
    }

    #[test]
    fn assets_are_a_fixed_set() {
        for name in ASSET_NAMES {
            let (content_type, bytes) = asset(name).expect("listed asset is served");
            assert!(!bytes.is_empty(), "{name} is empty");
            let expected = if name.ends_with(".css") { CSS } else { JS };
            assert_eq!(content_type, expected, "{name}");
        }
        for name in [
            "",
            "../Cargo.toml",
            "../../src/lib.rs",
            "graphiql.min.js.map",
            "LICENSE.react",
            "README.md",
            "/graphiql.min.js",
            "graphiql.min.js/",
        ] {
            assert!(asset(name).is_none(), "{name:?} must not be served");
        }
    }

    #[test]
    fn headers_and_variables_cannot_end_the_script() {
        let evil = r#"{"Authorization": "Bearer </script><script>alert(1)</script>&amp;<!--"}"#;
        let html = page(
            "/graphql?x=</script>",
            BASE,
            Some(evil),
            Some(r#"{"cpr": "</SCRIPT>"}"#),
        );
        assert!(!html.contains("alert(1)</script>"));
        assert!(!html.to_ascii_lowercase().contains("</script><script>alert"));
        assert!(!html.contains("<!--"));
        assert_eq!(
            html.matches("<script").count(),
            html.matches("</script>").count()
        );
        assert_eq!(html.matches("<script").count(), 5);

        let config: Value = serde_json::from_str(config_text(&html)).expect("config is JSON");
        assert_eq!(config["endpoint"], "/graphql?x=</script>");
        let headers: Value =
            serde_json::from_str(config["headers"].as_str().expect("headers text")).unwrap();
        assert_eq!(
            headers["Authorization"],
            "Bearer </script><script>alert(1)</script>&amp;<!--"
        );
    }

    #[test]
    fn tabs_are_the_examples_with_headers_and_variables() {
        let html = page(
            "/graphql",
            BASE,
            Some(r#"{"Authorization":"Bearer demo"}"#),
            Some(r#"{"cpr":"0101011234"}"#),
        );
        let config: Value = serde_json::from_str(config_text(&html)).unwrap();
        let tabs = config["tabs"].as_array().unwrap();
        assert_eq!(tabs.len(), EXAMPLES.len());
        for (tab, example) in tabs.iter().zip(EXAMPLES) {
            assert_eq!(tab["query"], example.query);
            assert!(tab["headers"].as_str().unwrap().contains("Bearer demo"));
            let has_variables = tab["variables"].is_string();
            assert_eq!(
                has_variables,
                example.name == "PartyOverview",
                "{}",
                example.name
            );
        }
        assert!(
            tabs[1]["variables"]
                .as_str()
                .unwrap()
                .contains("0101011234")
        );

        let bare = page("/graphql", BASE, None, None);
        let config: Value = serde_json::from_str(config_text(&bare)).unwrap();
        assert!(config["headers"].is_null());
        assert!(config["tabs"][1]["variables"].is_null());
    }

    #[test]
    fn examples_name_their_operation() {
        for example in EXAMPLES {
            assert!(
                example.query.contains(&format!("query {}", example.name))
                    || example
                        .query
                        .contains(&format!("mutation {}", example.name)),
                "{} does not declare its operation name",
                example.name
            );
            assert!(!example.description.is_empty());
        }
        assert!(EXAMPLES[1].query.contains("party(cpr: $cpr)"));
    }
}
