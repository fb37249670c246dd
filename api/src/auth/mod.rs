//! Token verification: `Authorization: Bearer <jwt>` → a verified [`Viewer`].
//!
//! Two kinds of keys:
//! - **JWKS** (production): RS256/ES256 (and the other asymmetric algorithms listed in
//!   `auth.algorithms`) with public keys from the identity provider's `auth.jwks_url`, fetched on
//!   first use, cached and refetched when a token names an unknown `kid` ([`jwks`]).
//! - **HS256** with `auth.hs256_secret` (development: `sagshub token`).
//!
//! # Order of checks
//! 1. The header's `alg` must be in the allow-list ([`AuthSettings::allowed_algorithms`]) before
//!    any key is looked up, so `alg: none` never reaches a verifier.
//! 2. The algorithm's family picks the key source: HMAC tokens are checked only against the
//!    configured secret, asymmetric tokens only against JWKS keys of the matching type (and the
//!    JWK's own `alg`, if it has one). A JWKS public key is never used as an HMAC secret, and a
//!    JWKS never contributes symmetric keys.
//! 3. Signature, then `iss`, `aud`, `exp` (required) and `nbf`, with `auth.leeway_secs`.
//! 4. The claims map to a [`Viewer`] through the configured claim names ([`ClaimNames`]).
//!
//! Every refusal is an [`AuthError`], which the HTTP layer answers with 401 `UNAUTHENTICATED` —
//! except [`AuthError::KeysUnavailable`] (the identity provider cannot be reached), which is 503
//! `IDENTITY_PROVIDER_UNAVAILABLE` with `Retry-After`: the token may well be good.
//!
//! [`ClaimNames`]: crate::settings::ClaimNames

pub mod jwks;
mod mint;

use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, Result};
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use schema::viewer::{cpr_key, sensitivity_from_name};
use schema::{Role, Viewer};
use serde_json::{Map, Value};

pub use mint::{DevIdentity, DevSigner, dev_claims, mint_dev_token};

use crate::settings::AuthSettings;

/// Why a token was refused. Shown to the client as `UNAUTHENTICATED` with this text, so no
/// variant carries internal detail (the JWKS fetch error is logged, not returned).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The header is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    /// No key is configured for this kind of token (no JWKS URL, or no HS256 secret).
    #[error("this hub accepts no tokens of this kind (no verification key is configured)")]
    NotConfigured,
    /// The header's `alg` is not in the allow-list (this includes `none`).
    #[error("the token's algorithm `{0}` is not accepted")]
    AlgorithmNotAllowed(String),
    /// An asymmetric token without a `kid` header.
    #[error("the token names no key (`kid`)")]
    MissingKeyId,
    /// The identity provider publishes no key with this `kid` (also after a refresh).
    #[error("the token's key `{0}` is not known")]
    UnknownKey(String),
    /// The key named by `kid` is of another type or for another algorithm than the token's.
    #[error("the token's algorithm does not match its key")]
    KeyMismatch,
    /// The identity provider's keys could not be fetched (details are logged).
    #[error("the identity provider's keys are not available right now; try again shortly")]
    KeysUnavailable,
    /// The signature does not verify.
    #[error("the token's signature is not valid")]
    BadSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` does not name this hub.
    #[error("the token is meant for another audience")]
    WrongAudience,
    /// `iss` is not the configured issuer.
    #[error("the token comes from an unexpected issuer")]
    WrongIssuer,
    /// A required claim (`exp`, `iss`, `aud`, `sub`) is missing.
    #[error("the token lacks the `{0}` claim")]
    MissingClaim(String),
    /// Not a well-formed JWT, or another check failed.
    #[error("the token is not valid: {0}")]
    Invalid(String),
    /// The claims do not describe a viewer.
    #[error("the token's claims are not usable: {0}")]
    Claims(String),
}

impl From<jsonwebtoken::errors::Error> for AuthError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        match error.kind() {
            ErrorKind::InvalidSignature => Self::BadSignature,
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidAudience => Self::WrongAudience,
            ErrorKind::InvalidIssuer => Self::WrongIssuer,
            ErrorKind::MissingRequiredClaim(claim) => Self::MissingClaim(claim.clone()),
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                Self::AlgorithmNotAllowed("?".into())
            }
            _ => Self::Invalid(error.to_string()),
        }
    }
}

/// Verifies tokens with the configured keys. Cheap to clone; clones share the JWKS cache.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AuthSettings,
    /// The effective allow-list, parsed.
    algorithms: Vec<Algorithm>,
    hs256: Option<DecodingKey>,
    jwks: Option<jwks::Jwks>,
}

impl Verifier {
    /// From settings. Fetches nothing: the JWKS is fetched on first use, so an identity provider
    /// that is down does not stop the hub from starting.
    pub fn new(settings: &AuthSettings) -> Result<Self> {
        let hs256 = match &settings.hs256_secret {
            Some(secret) => Some(
                DecodingKey::from_secret(secret.as_bytes())
                    .context("auth.hs256_secret is not usable as a key")?,
            ),
            None => None,
        };
        let algorithms = settings
            .allowed_algorithms()
            .iter()
            .map(|name| {
                Algorithm::from_str(name)
                    .map_err(|_| anyhow::anyhow!("auth.algorithms: unknown algorithm `{name}`"))
            })
            .collect::<Result<Vec<_>>>()?;
        let jwks = match &settings.jwks_url {
            Some(url) => Some(jwks::Jwks::new(
                url,
                std::time::Duration::from_secs(settings.jwks_cache_secs),
                std::time::Duration::from_secs(settings.jwks_refresh_min_secs),
            )?),
            None => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                settings: settings.clone(),
                algorithms,
                hs256,
                jwks,
            }),
        })
    }

    /// The JWKS cache, if a JWKS URL is configured.
    pub fn jwks(&self) -> Option<&jwks::Jwks> {
        self.inner.jwks.as_ref()
    }

    /// The viewer for an `Authorization` header value (`None`: anonymous).
    pub async fn viewer(&self, authorization: Option<&str>) -> Result<Viewer, AuthError> {
        let Some(header) = authorization else {
            return Ok(Viewer::anonymous());
        };
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(AuthError::Malformed)?
            .trim();
        let claims = self.verify(token).await?;
        self.map_claims(&claims)
    }

    /// Verify `token` (without `Bearer `) and return its claims.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, AuthError> {
        let inner = &*self.inner;
        let header = peek_header(token)?;
        let alg_name = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::Invalid("the header has no `alg`".into()))?;
        // The allow-list comes first: `none`, or anything not configured, stops here.
        let alg = Algorithm::from_str(alg_name)
            .ok()
            .filter(|a| inner.algorithms.contains(a))
            .ok_or_else(|| AuthError::AlgorithmNotAllowed(alg_name.to_owned()))?;
        let key = if alg.family() == AlgorithmFamily::Hmac {
            // Only the configured secret: a JWKS public key must never become an HMAC secret.
            inner.hs256.clone().ok_or(AuthError::NotConfigured)?
        } else {
            let jwks = inner.jwks.as_ref().ok_or(AuthError::NotConfigured)?;
            let kid = header
                .get("kid")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .ok_or(AuthError::MissingKeyId)?;
            jwks.key(kid, alg).await?
        };
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_issuer(&[&inner.settings.issuer]);
        validation.set_audience(&[&inner.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = inner.settings.leeway_secs;
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| {
                match AuthError::from(e) {
                    AuthError::AlgorithmNotAllowed(_) => {
                        AuthError::AlgorithmNotAllowed(alg_name.to_owned())
                    }
                    other => other,
                }
            })?;
        Ok(data.claims)
    }

    fn map_claims(&self, claims: &Map<String, Value>) -> Result<Viewer, AuthError> {
        let names = &self.inner.settings.claims;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AuthError::Claims("`sub` must be a non-empty string".into()))?
            .to_owned();
        let role = claims
            .get(&names.role)
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::Claims(format!("no `{}` claim", names.role)))?;
        match role {
            "citizen" => {
                let cpr = claims
                    .get(&names.cpr)
                    .and_then(Value::as_str)
                    .and_then(cpr_key)
                    .ok_or_else(|| {
                        AuthError::Claims(format!(
                            "a citizen token needs a valid `{}` claim",
                            names.cpr
                        ))
                    })?;
                Ok(Viewer::citizen(subject, cpr))
            }
            "caseworker" => {
                let departments = claims
                    .get(&names.departments)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let clearance = match claims.get(&names.clearance).and_then(Value::as_str) {
                    None => connectors::Sensitivity::IkkeFortrolig,
                    Some(name) => sensitivity_from_name(name)
                        .ok_or_else(|| AuthError::Claims(format!("unknown clearance `{name}`")))?,
                };
                Ok(Viewer::caseworker(subject, departments, clearance))
            }
            "admin" => Ok(Viewer::admin(subject)),
            // Which citizens a third party may act for is the consent registry's business; the
            // token only says who they are.
            "third_party" => Ok(Viewer {
                subject: Some(subject),
                role: Role::ThirdParty,
                ..Viewer::anonymous()
            }),
            other => Err(AuthError::Claims(format!("unknown role `{other}`"))),
        }
    }
}

/// The JOSE header of a compact JWT, read without trusting it (to pick the algorithm and key).
fn peek_header(token: &str) -> Result<Map<String, Value>, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Invalid("not a compact JWT".into()));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| AuthError::Invalid("the header is not base64url".into()))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AuthError::Invalid("the header is not a JSON object".into())),
    }
}

#[cfg(test)]
mod tests;
