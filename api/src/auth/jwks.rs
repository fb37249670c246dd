//! The identity provider's signing keys, from its JWKS document (RFC 7517).
//!
//! Keys are fetched on first use and kept by `kid` for `auth.jwks_cache_secs`. A token naming a
//! `kid` that is not in the cache triggers a refetch, but at most one fetch (successful or not)
//! happens per `auth.jwks_refresh_min_secs`, so a flood of made-up `kid`s costs the identity
//! provider one request per interval. Concurrent misses share that one fetch. A refetch replaces
//! the whole set, so a key the provider has withdrawn stops verifying after the next refresh,
//! and a new one is accepted as soon as a token names it: rotation needs no restart.
//!
//! Keys are trusted only while fresh: when the cache has expired and the provider cannot be
//! reached, tokens are refused ([`AuthError::KeysUnavailable`]) rather than verified with keys
//! that may have been withdrawn.
//!
//! Only signature keys are kept: RSA (`kty: RSA`), EC on P-256/P-384 and Ed25519 (`kty: OKP`).
//! Symmetric (`kty: oct`) keys, keys for encryption (`use: enc`) and keys without a `kid` are
//! ignored; so is a key the library cannot read, so one odd entry does not take down the rest.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::AuthError;

/// The largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// How long one JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// What kind of public key a JWK holds, which decides the algorithms it can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA: RS256/384/512, PS256/384/512.
    Rsa,
    /// EC on P-256: ES256.
    P256,
    /// EC on P-384: ES384.
    P384,
    /// Ed25519: EdDSA.
    Ed25519,
}

impl KeyKind {
    /// Whether a key of this kind may verify `alg`.
    pub fn verifies(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            Self::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            Self::P256 => alg == ES256,
            Self::P384 => alg == ES384,
            Self::Ed25519 => alg == EdDSA,
        }
    }
}

/// One usable key from the JWKS.
#[derive(Clone)]
pub struct PublicKey {
    /// The key for `jsonwebtoken`.
    pub decoding: DecodingKey,
    /// Its type.
    pub kind: KeyKind,
    /// The JWK's own `alg`, if it names one.
    pub alg: Option<Algorithm>,
}

impl PublicKey {
    /// The decoding key, if this key may verify a token signed with `alg`.
    fn for_alg(&self, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        if !self.kind.verifies(alg) || self.alg.is_some_and(|a| a != alg) {
            return Err(AuthError::KeyMismatch);
        }
        Ok(self.decoding.clone())
    }
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<Value>,
}

/// The usable signature keys of a JWKS document, by `kid`. Entries that are not usable are
/// skipped (see the module docs); a document that is not a JWKS at all is an error.
pub fn parse_jwks(body: &[u8]) -> Result<HashMap<String, PublicKey>, String> {
    let document: Document =
        serde_json::from_slice(body).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys = HashMap::new();
    for entry in document.keys {
        let jwk: Jwk = match serde_json::from_value(entry) {
            Ok(jwk) => jwk,
            Err(error) => {
                tracing::debug!(%error, "skipping a JWK that cannot be read");
                continue;
            }
        };
        let Some(kid) = jwk.common.key_id.clone().filter(|k| !k.is_empty()) else {
            continue;
        };
        if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
            continue;
        }
        let kind = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => KeyKind::Rsa,
            AlgorithmParameters::EllipticCurve(p) => match p.curve {
                EllipticCurve::P256 => KeyKind::P256,
                EllipticCurve::P384 => KeyKind::P384,
                _ => continue,
            },
            AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
                KeyKind::Ed25519
            }
            // Symmetric keys and anything else: never from a JWKS.
            _ => continue,
        };
        let alg = match jwk.common.key_algorithm {
            None => None,
            Some(a) => match Algorithm::try_from(a) {
                Ok(a) => Some(a),
                // An encryption algorithm, say: not a signature key.
                Err(_) => continue,
            },
        };
        let decoding = match DecodingKey::from_jwk(&jwk) {
            Ok(key) => key,
            Err(error) => {
                tracing::debug!(%error, %kid, "skipping a JWK that is not a usable key");
                continue;
            }
        };
        if keys.contains_key(&kid) {
            tracing::warn!(%kid, "the JWKS lists this kid twice; keeping the first");
            continue;
        }
        keys.insert(
            kid,
            PublicKey {
                decoding,
                kind,
                alg,
            },
        );
    }
    Ok(keys)
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, PublicKey>,
    /// When `keys` was fetched (`None`: never successfully).
    fetched_at: Option<Instant>,
    /// When the last fetch was started, successful or not.
    attempted_at: Option<Instant>,
}

/// The JWKS of one identity provider, fetched lazily and cached.
pub struct Jwks {
    url: String,
    client: reqwest::Client,
    cache_for: Duration,
    min_refresh: Duration,
    cache: RwLock<Cache>,
    /// Held while fetching, so that concurrent misses wait for one fetch instead of each
    /// starting their own.
    fetching: Mutex<()>,
}

impl Jwks {
    /// For the JWKS at `url`: keys are trusted for `cache_for`, and fetched at most once per
    /// `min_refresh`.
    pub fn new(url: &str, cache_for: Duration, min_refresh: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .user_agent(concat!("sagshub/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the JWKS HTTP client")?;
        Ok(Self {
            url: url.to_owned(),
            client,
            cache_for,
            min_refresh,
            cache: RwLock::new(Cache::default()),
            fetching: Mutex::new(()),
        })
    }

    /// The key `kid` for a token signed with `alg`, fetching the JWKS if the cache has expired
    /// or does not know `kid` (subject to the refresh interval).
    pub async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        {
            let cache = self.cache.read().await;
            if self.is_fresh(&cache)
                && let Some(key) = cache.keys.get(kid)
            {
                return key.for_alg(alg);
            }
        }
        self.refresh().await;
        let cache = self.cache.read().await;
        if !self.is_fresh(&cache) {
            return Err(AuthError::KeysUnavailable);
        }
        match cache.keys.get(kid) {
            Some(key) => key.for_alg(alg),
            None => Err(AuthError::UnknownKey(kid.to_owned())),
        }
    }

    /// Fetch the JWKS now unless a fetch happened less than the refresh interval ago. A failure
    /// is logged and leaves the cache as it was.
    pub async fn refresh(&self) {
        let _one_at_a_time = self.fetching.lock().await;
        {
            let mut cache = self.cache.write().await;
            if cache
                .attempted_at
                .is_some_and(|at| at.elapsed() < self.min_refresh)
            {
                return; // someone just fetched (or tried): use what they got
            }
            cache.attempted_at = Some(Instant::now());
        }
        let started = Instant::now();
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(url = %self.url, keys = keys.len(), "fetched the JWKS");
                let mut cache = self.cache.write().await;
                cache.keys = keys;
                cache.fetched_at = Some(started);
            }
            Err(error) => {
                tracing::warn!(url = %self.url, %error, "could not fetch the JWKS");
            }
        }
    }

    fn is_fresh(&self, cache: &Cache) -> bool {
        cache
            .fetched_at
            .is_some_and(|at| at.elapsed() < self.cache_for)
    }

    async fn fetch(&self) -> Result<HashMap<String, PublicKey>, String> {
        let response = self
            .client
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err("the document is too large".into());
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("reading the body failed: {e}"))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err("the document is too large".into());
        }
        parse_jwks(&body)
    }

    /// Pretend the last fetch (and attempt) happened `by` earlier, instead of waiting.
    #[cfg(test)]
    pub(crate) async fn backdate(&self, by: Duration) {
        let mut cache = self.cache.write().await;
        let earlier = |t: Option<Instant>| t.map(|t| t.checked_sub(by).unwrap_or(t));
        cache.fetched_at = earlier(cache.fetched_at);
        cache.attempted_at = earlier(cache.attempted_at);
    }
}
