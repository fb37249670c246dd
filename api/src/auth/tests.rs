//! Verification against a real JWKS endpoint on loopback (an axum server on 127.0.0.1:0 that
//! counts its requests), with one RSA and one EC key.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use schema::Role;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::*;
use crate::auth::jwks::parse_jwks;
use crate::settings::AuthSettings;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const CPR: &str = "070761-4285";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// One RSA key per test binary: generation is the slow part.
static RSA: LazyLock<aws_lc_rs::rsa::KeyPair> =
    LazyLock::new(
        || match aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048) {
            Ok(pair) => pair,
            Err(e) => panic!("generating an RSA key: {e}"),
        },
    );

fn rsa_jwk(kid: &str) -> Value {
    let parts = PublicKeyComponents::<Vec<u8>>::from(RSA.public_key());
    json!({ "kty": "RSA", "kid": kid, "use": "sig", "n": B64.encode(&parts.n), "e": B64.encode(&parts.e) })
}

fn ec_signer(kid: &str) -> DevSigner {
    match DevSigner::generate_es256(kid) {
        Ok(s) => s,
        Err(e) => panic!("generating an EC key: {e}"),
    }
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims that pass every check, for a citizen.
fn good_claims() -> Value {
    json!({
        "sub": "c1", "iss": "sagshub-dev", "aud": "sagshub",
        "iat": now(), "nbf": now(), "exp": now() + 600,
        "role": "citizen", "cpr": CPR,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if let Some(obj) = claims.as_object_mut() {
        if value.is_null() {
            obj.remove(key);
        } else {
            obj.insert(key.to_owned(), value);
        }
    }
    claims
}

/// A compact JWT with `header` and `claims`, signed by `sign` over `header.claims`.
fn jwt(header: &Value, claims: &Value, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let message = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = sign(message.as_bytes());
    format!("{message}.{}", B64.encode(signature))
}

fn rs256(kid: &str, claims: &Value) -> String {
    jwt(
        &json!({ "alg": "RS256", "typ": "JWT", "kid": kid }),
        claims,
        |message| {
            let mut signature = vec![0; RSA.public_modulus_len()];
            if let Err(e) = RSA.sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            ) {
                panic!("RSA signing: {e}");
            }
            signature
        },
    )
}

fn es256(signer: &DevSigner, claims: &Value) -> String {
    match signer.sign(claims) {
        Ok(t) => t,
        Err(e) => panic!("EC signing: {e}"),
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    aws_lc_rs::hmac::sign(&key, message).as_ref().to_vec()
}

/// A JWKS endpoint whose key list the test can change, counting the requests it gets.
struct Idp {
    url: String,
    hits: Arc<AtomicUsize>,
    keys: Arc<Mutex<Vec<Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Idp {
    async fn start(keys: Vec<Value>) -> Self {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("binding loopback: {e}"),
        };
        Self::on(listener, keys)
    }

    fn on(listener: TcpListener, keys: Vec<Value>) -> Self {
        use axum::extract::State;
        type Shared = (Arc<AtomicUsize>, Arc<Mutex<Vec<Value>>>);
        async fn serve(State((hits, keys)): State<Shared>) -> axum::Json<Value> {
            hits.fetch_add(1, Ordering::SeqCst);
            let keys = keys.lock().map(|k| k.clone()).unwrap_or_default();
            axum::Json(json!({ "keys": keys }))
        }
        let hits = Arc::new(AtomicUsize::new(0));
        let keys = Arc::new(Mutex::new(keys));
        let url = match listener.local_addr() {
            Ok(addr) => format!("http://{addr}/.well-known/jwks.json"),
            Err(e) => panic!("listener address: {e}"),
        };
        let app = axum::Router::new()
            .route("/.well-known/jwks.json", axum::routing::get(serve))
            .with_state((hits.clone(), keys.clone()));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            hits,
            keys,
            task,
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn set_keys(&self, keys: Vec<Value>) {
        if let Ok(mut k) = self.keys.lock() {
            *k = keys;
        }
    }
}

fn jwks_settings(url: &str) -> AuthSettings {
    AuthSettings {
        jwks_url: Some(url.to_owned()),
        jwks_refresh_min_secs: 0,
        ..AuthSettings::default()
    }
}

fn verifier(settings: &AuthSettings) -> Verifier {
    match Verifier::new(settings) {
        Ok(v) => v,
        Err(e) => panic!("test settings are valid: {e}"),
    }
}

async fn check(v: &Verifier, token: &str) -> Result<Viewer, AuthError> {
    v.viewer(Some(&format!("Bearer {token}"))).await
}

async fn backdate(v: &Verifier, by: Duration) {
    match v.jwks() {
        Some(jwks) => jwks.backdate(by).await,
        None => panic!("no JWKS configured"),
    }
}

#[tokio::test]
async fn rs256_and_es256_tokens_from_the_jwks_are_accepted() {
    let ec = ec_signer("ec-1");
    let idp = Idp::start(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]).await;
    let v = verifier(&jwks_settings(&idp.url));

    let citizen = check(&v, &rs256("rsa-1", &good_claims())).await;
    assert!(
        citizen
            .as_ref()
            .is_ok_and(|v| v.role == Role::Citizen && v.cpr == cpr_key(CPR)),
        "{citizen:?}"
    );
    let caseworker = with(
        with(good_claims(), "role", json!("caseworker")),
        "departments",
        json!(["Børn og Familie"]),
    );
    let caseworker = with(caseworker, "clearance", json!("Fortrolig"));
    let viewer = check(&v, &es256(&ec, &caseworker)).await;
    assert!(
        viewer.as_ref().is_ok_and(|v| v.role == Role::Caseworker
            && v.departments == ["Børn og Familie"]
            && v.clearance == connectors::Sensitivity::Fortrolig),
        "{viewer:?}"
    );
    assert_eq!(idp.hits(), 1, "both keys come from one fetch");
}

#[tokio::test]
async fn a_key_added_to_the_jwks_is_accepted_without_restart() {
    let idp = Idp::start(vec![rsa_jwk("rsa-1")]).await;
    let v = verifier(&jwks_settings(&idp.url));
    assert!(check(&v, &rs256("rsa-1", &good_claims())).await.is_ok());

    let ec = ec_signer("ec-2026");
    let token = es256(&ec, &good_claims());
    assert!(matches!(
        check(&v, &token).await,
        Err(AuthError::UnknownKey(kid)) if kid == "ec-2026"
    ));
    idp.set_keys(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]);
    let viewer = check(&v, &token).await;
    assert!(viewer.is_ok(), "{viewer:?}");
    assert_eq!(
        idp.hits(),
        3,
        "initial fetch, one refresh per unknown-kid miss"
    );
}

#[tokio::test]
async fn a_withdrawn_key_is_refused_after_the_cache_expires() {
    let ec = ec_signer("ec-old");
    let idp = Idp::start(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]).await;
    let settings = AuthSettings {
        jwks_cache_secs: 300,
        jwks_refresh_min_secs: 30,
        ..jwks_settings(&idp.url)
    };
    let v = verifier(&settings);
    let token = es256(&ec, &good_claims());
    assert!(check(&v, &token).await.is_ok());

    idp.set_keys(vec![rsa_jwk("rsa-1")]);
    // Within the cache lifetime the key is still trusted, and no request goes out.
    assert!(check(&v, &token).await.is_ok());
    assert_eq!(idp.hits(), 1);
    backdate(&v, Duration::from_secs(301)).await;
    assert!(matches!(
        check(&v, &token).await,
        Err(AuthError::UnknownKey(_))
    ));
    assert!(check(&v, &rs256("rsa-1", &good_claims())).await.is_ok());
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn refreshes_for_unknown_kids_are_rate_limited() {
    let idp = Idp::start(vec![rsa_jwk("rsa-1")]).await;
    let settings = AuthSettings {
        jwks_cache_secs: 7200,
        jwks_refresh_min_secs: 3600,
        ..jwks_settings(&idp.url)
    };
    let v = verifier(&settings);
    // A burst of made-up kids before anything is cached: one fetch between them.
    let bogus: Vec<String> = (0..20)
        .map(|i| rs256(&format!("bogus-{i}"), &good_claims()))
        .collect();
    let results = futures::future::join_all(bogus.iter().map(|t| check(&v, t))).await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(AuthError::UnknownKey(_))))
    );
    assert_eq!(idp.hits(), 1);
    for token in &bogus {
        assert!(check(&v, token).await.is_err());
    }
    assert!(check(&v, &rs256("rsa-1", &good_claims())).await.is_ok());
    assert_eq!(
        idp.hits(),
        1,
        "misses within the interval do not fetch again"
    );

    // A genuinely new key also waits for the interval…
    let ec = ec_signer("ec-new");
    idp.set_keys(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]);
    let token = es256(&ec, &good_claims());
    assert!(matches!(
        check(&v, &token).await,
        Err(AuthError::UnknownKey(_))
    ));
    assert_eq!(idp.hits(), 1);
    // …and is accepted once it has passed.
    backdate(&v, Duration::from_secs(3601)).await;
    assert!(check(&v, &token).await.is_ok());
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn jwks_server_down_is_a_clear_error_and_recovers() {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("binding loopback: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => panic!("listener address: {e}"),
    };
    drop(listener); // nothing listens there now
    let url = format!("http://{addr}/.well-known/jwks.json");
    let v = verifier(&jwks_settings(&url));
    let token = rs256("rsa-1", &good_claims());
    let refused = check(&v, &token).await;
    assert!(
        matches!(refused, Err(AuthError::KeysUnavailable)),
        "{refused:?}"
    );
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("not available"), "{message}");
    assert!(!message.contains("127.0.0.1"), "no internals: {message}");

    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => panic!("rebinding {addr}: {e}"),
    };
    let idp = Idp::on(listener, vec![rsa_jwk("rsa-1")]);
    let viewer = check(&v, &token).await;
    assert!(viewer.is_ok(), "{viewer:?}");
    assert_eq!(idp.hits(), 1);
}

#[tokio::test]
async fn a_jwks_endpoint_answering_garbage_is_keys_unavailable() {
    async fn broken() -> (axum::http::StatusCode, &'static str) {
        (axum::http::StatusCode::OK, "<html>maintenance</html>")
    }
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("binding loopback: {e}"),
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/jwks"),
        Err(e) => panic!("listener address: {e}"),
    };
    let app = axum::Router::new().route("/jwks", axum::routing::get(broken));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let v = verifier(&jwks_settings(&url));
    assert!(matches!(
        check(&v, &rs256("rsa-1", &good_claims())).await,
        Err(AuthError::KeysUnavailable)
    ));
    task.abort();
}

#[tokio::test]
async fn alg_none_is_refused_before_any_key_is_fetched() {
    let idp = Idp::start(vec![rsa_jwk("rsa-1")]).await;
    let settings = AuthSettings {
        hs256_secret: Some(SECRET.into()),
        ..jwks_settings(&idp.url)
    };
    let v = verifier(&settings);
    for alg in ["none", "None", "NONE", ""] {
        let header = B64.encode(json!({ "alg": alg, "kid": "rsa-1" }).to_string());
        let body = B64.encode(with(good_claims(), "role", json!("admin")).to_string());
        let result = check(&v, &format!("{header}.{body}.")).await;
        assert!(
            matches!(&result, Err(AuthError::AlgorithmNotAllowed(a)) if a == alg),
            "{alg}: {result:?}"
        );
    }
    assert_eq!(idp.hits(), 0);
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let idp = Idp::start(vec![rsa_jwk("rsa-1")]).await;
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "rsa-1" });
    let public_der = RSA.public_key().as_ref().to_vec();
    let public_jwk = rsa_jwk("rsa-1").to_string().into_bytes();
    for secret in [public_der, public_jwk] {
        let token = jwt(&header, &good_claims(), |m| hmac(&secret, m));
        // Without a dev secret HS256 is not even allowed…
        let v = verifier(&jwks_settings(&idp.url));
        assert!(matches!(
            check(&v, &token).await,
            Err(AuthError::AlgorithmNotAllowed(a)) if a == "HS256"
        ));
        // …and with one, only that secret is tried, never the JWKS key.
        let v = verifier(&AuthSettings {
            hs256_secret: Some(SECRET.into()),
            ..jwks_settings(&idp.url)
        });
        assert!(matches!(
            check(&v, &token).await,
            Err(AuthError::BadSignature)
        ));
    }
    assert_eq!(idp.hits(), 0, "an HMAC token never looks at the JWKS");
}

#[tokio::test]
async fn algorithms_outside_the_allow_list_or_the_key_are_refused() {
    let ec = ec_signer("ec-1");
    let mut rsa_rs256_only = rsa_jwk("rsa-pinned");
    rsa_rs256_only["alg"] = json!("RS256");
    let idp = Idp::start(vec![rsa_jwk("rsa-1"), ec.jwk().clone(), rsa_rs256_only]).await;

    let es_only = verifier(&AuthSettings {
        algorithms: vec!["ES256".into()],
        ..jwks_settings(&idp.url)
    });
    assert!(matches!(
        check(&es_only, &rs256("rsa-1", &good_claims())).await,
        Err(AuthError::AlgorithmNotAllowed(a)) if a == "RS256"
    ));
    assert!(check(&es_only, &es256(&ec, &good_claims())).await.is_ok());

    let v = verifier(&AuthSettings {
        algorithms: vec!["RS256".into(), "RS384".into(), "ES256".into()],
        ..jwks_settings(&idp.url)
    });
    // ES256 header naming the RSA key.
    let forged = jwt(
        &json!({ "alg": "ES256", "kid": "rsa-1" }),
        &good_claims(),
        |_| vec![0; 64],
    );
    assert!(matches!(
        check(&v, &forged).await,
        Err(AuthError::KeyMismatch)
    ));
    // RS384 against a JWK that says it is for RS256 only.
    let forged = jwt(
        &json!({ "alg": "RS384", "kid": "rsa-pinned" }),
        &good_claims(),
        |_| vec![0; 256],
    );
    assert!(matches!(
        check(&v, &forged).await,
        Err(AuthError::KeyMismatch)
    ));
    // RS256 against the RSA key that is pinned to RS256: fine.
    assert!(
        check(&v, &rs256("rsa-pinned", &good_claims()))
            .await
            .is_ok()
    );
}

/// What a refused token's error must look like.
type Expect = fn(&AuthError) -> bool;

#[tokio::test]
async fn claim_and_time_checks_refuse_with_their_reason() {
    let ec = ec_signer("ec-1");
    let idp = Idp::start(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]).await;
    let v = verifier(&jwks_settings(&idp.url));
    let t = now();
    let cases: Vec<(&str, Value, Expect)> = vec![
        (
            "no exp",
            with(good_claims(), "exp", Value::Null),
            |e| matches!(e, AuthError::MissingClaim(c) if c == "exp"),
        ),
        (
            "no sub",
            with(good_claims(), "sub", Value::Null),
            |e| matches!(e, AuthError::MissingClaim(c) if c == "sub"),
        ),
        (
            "wrong aud",
            with(good_claims(), "aud", json!("other")),
            |e| matches!(e, AuthError::WrongAudience),
        ),
        (
            "wrong iss",
            with(good_claims(), "iss", json!("evil")),
            |e| matches!(e, AuthError::WrongIssuer),
        ),
        ("expired", with(good_claims(), "exp", json!(t - 120)), |e| {
            matches!(e, AuthError::Expired)
        }),
        (
            "nbf ahead",
            with(good_claims(), "nbf", json!(t + 120)),
            |e| matches!(e, AuthError::NotYetValid),
        ),
        // An `exp` that is not a number counts as no `exp`.
        (
            "exp as text",
            with(good_claims(), "exp", json!("tomorrow")),
            |e| matches!(e, AuthError::MissingClaim(c) if c == "exp"),
        ),
        ("no role", with(good_claims(), "role", Value::Null), |e| {
            matches!(e, AuthError::Claims(_))
        }),
        ("bad cpr", with(good_claims(), "cpr", json!("123")), |e| {
            matches!(e, AuthError::Claims(_))
        }),
    ];
    for (what, claims, expected) in cases {
        for token in [rs256("rsa-1", &claims), es256(&ec, &claims)] {
            let result = check(&v, &token).await;
            assert!(
                result.as_ref().err().is_some_and(expected),
                "{what}: {result:?}"
            );
        }
    }
    // Within the leeway is still fine.
    let nearly = with(
        with(good_claims(), "exp", json!(t - 10)),
        "nbf",
        json!(t + 10),
    );
    assert!(check(&v, &rs256("rsa-1", &nearly)).await.is_ok());
}

#[tokio::test]
async fn tampered_and_garbage_tokens_are_refused() {
    let ec = ec_signer("ec-1");
    let idp = Idp::start(vec![rsa_jwk("rsa-1"), ec.jwk().clone()]).await;
    let v = verifier(&jwks_settings(&idp.url));
    let admin = with(good_claims(), "role", json!("admin"));
    for token in [rs256("rsa-1", &good_claims()), es256(&ec, &good_claims())] {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, _, signature] = parts[..] else {
            panic!("three parts");
        };
        let swapped = format!("{header}.{}.{signature}", B64.encode(admin.to_string()));
        assert!(matches!(
            check(&v, &swapped).await,
            Err(AuthError::BadSignature)
        ));
        let mut bytes = B64.decode(signature).unwrap_or_default();
        if let Some(b) = bytes.get_mut(10) {
            *b ^= 1;
        }
        let flipped = format!("{header}.{}.{}", parts[1], B64.encode(&bytes));
        let result = check(&v, &flipped).await;
        assert!(matches!(result, Err(AuthError::BadSignature)), "{result:?}");
    }
    for garbage in [
        "",
        "abc",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "e30.e30.",
        "!!!.e30.e30",
    ] {
        let result = check(&v, garbage).await;
        assert!(
            matches!(result, Err(AuthError::Invalid(_))),
            "{garbage}: {result:?}"
        );
    }
    let no_kid = jwt(&json!({ "alg": "RS256" }), &good_claims(), |_| vec![1; 256]);
    assert!(matches!(
        check(&v, &no_kid).await,
        Err(AuthError::MissingKeyId)
    ));
    assert!(matches!(
        v.viewer(Some("Basic abc")).await,
        Err(AuthError::Malformed)
    ));
    assert!(
        v.viewer(None)
            .await
            .is_ok_and(|viewer| viewer.role == Role::Anonymous)
    );
}

#[tokio::test]
async fn without_a_jwks_url_asymmetric_tokens_are_refused() {
    let v = verifier(&AuthSettings::default());
    assert!(matches!(
        check(&v, &rs256("rsa-1", &good_claims())).await,
        Err(AuthError::NotConfigured)
    ));
}

#[tokio::test]
async fn hs256_dev_tokens_verify_with_the_secret_only() {
    let s = AuthSettings {
        hs256_secret: Some(SECRET.into()),
        ..AuthSettings::default()
    };
    let v = verifier(&s);
    let mint = |s: &AuthSettings, identity: &DevIdentity| {
        mint_dev_token(s, "c1", identity, 60).unwrap_or_default()
    };
    let citizen = DevIdentity::Citizen { cpr: CPR.into() };
    let viewer = check(&v, &mint(&s, &citizen)).await;
    assert!(
        viewer
            .as_ref()
            .is_ok_and(|v| v.role == Role::Citizen && v.cpr == cpr_key("0707614285")),
        "{viewer:?}"
    );
    let other_secret = AuthSettings {
        hs256_secret: Some("x".repeat(40)),
        ..s.clone()
    };
    assert!(matches!(
        check(&v, &mint(&other_secret, &DevIdentity::Admin)).await,
        Err(AuthError::BadSignature)
    ));
    let other_audience = AuthSettings {
        audience: "other".into(),
        ..s.clone()
    };
    assert!(matches!(
        check(&v, &mint(&other_audience, &DevIdentity::Admin)).await,
        Err(AuthError::WrongAudience)
    ));
    // A hub without the secret does not take HS256 at all.
    let no_secret = verifier(&AuthSettings::default());
    assert!(matches!(
        check(&no_secret, &mint(&s, &citizen)).await,
        Err(AuthError::AlgorithmNotAllowed(_))
    ));
}

#[tokio::test]
async fn dev_signer_tokens_for_every_role_verify_through_its_served_jwks() {
    let signer = ec_signer("demo-1");
    let idp = Idp::start(
        signer.jwks()["keys"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    )
    .await;
    let s = jwks_settings(&idp.url);
    let v = verifier(&s);
    let identities = [
        (DevIdentity::Citizen { cpr: CPR.into() }, Role::Citizen),
        (
            DevIdentity::ThirdParty {
                name: "Advokatfirmaet Eksempel".into(),
            },
            Role::ThirdParty,
        ),
        (
            DevIdentity::Caseworker {
                departments: vec!["Borgerservice".into()],
                clearance: "Foelsom".into(),
            },
            Role::Caseworker,
        ),
        (DevIdentity::Admin, Role::Admin),
    ];
    for (identity, role) in identities {
        let token = signer
            .mint(&s, "someone", &identity, 60)
            .unwrap_or_default();
        let viewer = check(&v, &token).await;
        assert!(
            viewer
                .as_ref()
                .is_ok_and(|v| v.role == role && v.subject.as_deref() == Some("someone")),
            "{identity:?}: {viewer:?}"
        );
    }
    let claims = dev_claims(
        &s,
        "tp",
        &DevIdentity::ThirdParty {
            name: "Advokatfirmaet Eksempel".into(),
        },
        60,
    )
    .unwrap_or_default();
    assert_eq!(claims["name"], "Advokatfirmaet Eksempel");
    assert_eq!(claims["role"], "third_party");
}

#[test]
fn parse_jwks_keeps_signature_keys_only() {
    let ec = ec_signer("ec-1");
    let mut enc = rsa_jwk("rsa-enc");
    enc["use"] = json!("enc");
    let mut no_kid = rsa_jwk("");
    if let Some(o) = no_kid.as_object_mut() {
        o.remove("kid");
    }
    let doc = json!({ "keys": [
        rsa_jwk("rsa-1"),
        ec.jwk(),
        enc,
        no_kid,
        { "kty": "oct", "kid": "hmac", "k": "c2VjcmV0" },
        { "kty": "ML-DSA", "kid": "future", "pub": "xyz" },
        { "kty": "RSA", "kid": "rsa-oaep", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB" },
        "not even an object",
    ]});
    let keys = parse_jwks(doc.to_string().as_bytes()).unwrap_or_default();
    let mut kids: Vec<&str> = keys.keys().map(String::as_str).collect();
    kids.sort_unstable();
    assert_eq!(kids, ["ec-1", "rsa-1"]);
    assert!(parse_jwks(b"<html>").is_err());
    assert!(parse_jwks(b"{\"nokeys\":[]}").is_err());
}
