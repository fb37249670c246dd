//! Token verification: `Authorization: Bearer <jwt>` → a verified [`Viewer`].
//!
//! HS256 with a configured secret is the development path (`sagshub demo`, `sagshub token`).
//! Issuer, audience, `exp` (required) and `nbf` are checked with a small leeway; only the
//! configured algorithms are accepted, so `alg: none` and algorithm confusion are refused.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use schema::viewer::{cpr_key, sensitivity_from_name};
use schema::{Role, Viewer};
use serde_json::{Map, Value, json};

use crate::settings::AuthSettings;

/// Why a token was refused. Shown to the client as `UNAUTHENTICATED` with this text.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The header is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    /// No verification key is configured, so no token can be accepted.
    #[error("this hub accepts no tokens (no verification key is configured)")]
    NotConfigured,
    /// Signature, algorithm, issuer, audience or time checks failed.
    #[error("the token is not valid: {0}")]
    Invalid(String),
    /// The claims do not describe a viewer.
    #[error("the token's claims are not usable: {0}")]
    Claims(String),
}

/// Verifies tokens with the configured keys.
#[derive(Clone)]
pub struct Verifier {
    settings: AuthSettings,
    hs256: Option<DecodingKey>,
}

impl Verifier {
    /// From settings.
    pub fn new(settings: &AuthSettings) -> Result<Self> {
        let hs256 = match &settings.hs256_secret {
            Some(secret) => Some(
                DecodingKey::from_secret(secret.as_bytes())
                    .context("auth.hs256_secret is not usable as a key")?,
            ),
            None => None,
        };
        Ok(Self {
            settings: settings.clone(),
            hs256,
        })
    }

    /// The viewer for an `Authorization` header value (`None`: anonymous).
    pub fn viewer(&self, authorization: Option<&str>) -> Result<Viewer, AuthError> {
        let Some(header) = authorization else {
            return Ok(Viewer::anonymous());
        };
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(AuthError::Malformed)?
            .trim();
        let key = self.hs256.as_ref().ok_or(AuthError::NotConfigured)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        self.map_claims(&data.claims)
    }

    fn map_claims(&self, claims: &Map<String, Value>) -> Result<Viewer, AuthError> {
        let names = &self.settings.claims;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
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
            "third_party" => Ok(Viewer {
                subject: Some(subject),
                role: Role::ThirdParty,
                ..Viewer::anonymous()
            }),
            other => Err(AuthError::Claims(format!("unknown role `{other}`"))),
        }
    }
}

/// What a development token says.
#[derive(Clone, Debug)]
pub enum DevIdentity {
    /// A citizen with this CPR number.
    Citizen {
        /// `DDMMYY-SSSS`.
        cpr: String,
    },
    /// A caseworker.
    Caseworker {
        /// Department names.
        departments: Vec<String>,
        /// SF1470 level name.
        clearance: String,
    },
    /// An administrator.
    Admin,
}

/// Mint an HS256 development token valid for `ttl_secs`.
pub fn mint_dev_token(
    settings: &AuthSettings,
    subject: &str,
    identity: &DevIdentity,
    ttl_secs: u64,
) -> Result<String> {
    let secret = settings
        .hs256_secret
        .as_ref()
        .context("minting tokens needs auth.hs256_secret")?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("clock before 1970")?
        .as_secs();
    let names = &settings.claims;
    let mut claims = json!({
        "sub": subject,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_secs,
    });
    let obj = claims.as_object_mut().context("claims object")?;
    match identity {
        DevIdentity::Citizen { cpr } => {
            obj.insert(names.role.clone(), json!("citizen"));
            obj.insert(names.cpr.clone(), json!(cpr));
        }
        DevIdentity::Caseworker {
            departments,
            clearance,
        } => {
            obj.insert(names.role.clone(), json!("caseworker"));
            obj.insert(names.departments.clone(), json!(departments));
            obj.insert(names.clearance.clone(), json!(clearance));
        }
        DevIdentity::Admin => {
            obj.insert(names.role.clone(), json!("admin"));
        }
    }
    let key = EncodingKey::from_secret(secret.as_bytes())
        .context("auth.hs256_secret is not usable as a key")?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).context("signing the token")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(s: &AuthSettings) -> Verifier {
        match Verifier::new(s) {
            Ok(v) => v,
            Err(e) => panic!("test settings are valid: {e}"),
        }
    }

    fn settings() -> AuthSettings {
        AuthSettings {
            hs256_secret: Some("0123456789abcdef0123456789abcdef".into()),
            ..AuthSettings::default()
        }
    }

    #[test]
    fn a_minted_citizen_token_verifies_to_that_citizen() {
        let s = settings();
        let token = mint_dev_token(
            &s,
            "c1",
            &DevIdentity::Citizen {
                cpr: "070761-4285".into(),
            },
            60,
        )
        .unwrap_or_default();
        let viewer = verifier(&s).viewer(Some(&format!("Bearer {token}")));
        assert!(
            viewer
                .as_ref()
                .is_ok_and(|v| v.role == Role::Citizen && v.cpr == cpr_key("0707614285")),
            "{viewer:?}"
        );
    }

    #[test]
    fn wrong_secret_audience_and_garbage_are_refused() {
        let s = settings();
        let other = AuthSettings {
            audience: "other".into(),
            ..settings()
        };
        let token = mint_dev_token(&other, "c1", &DevIdentity::Admin, 60).unwrap_or_default();
        assert!(matches!(
            verifier(&s).viewer(Some(&format!("Bearer {token}"))),
            Err(AuthError::Invalid(_))
        ));
        let other_secret = AuthSettings {
            hs256_secret: Some("x".repeat(40)),
            ..settings()
        };
        let token =
            mint_dev_token(&other_secret, "c1", &DevIdentity::Admin, 60).unwrap_or_default();
        assert!(matches!(
            verifier(&s).viewer(Some(&format!("Bearer {token}"))),
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            verifier(&s).viewer(Some("Bearer abc.def.ghi")),
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            verifier(&s).viewer(Some("Basic abc")),
            Err(AuthError::Malformed)
        ));
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(
            br#"{"sub":"x","iss":"sagshub-dev","aud":"sagshub","exp":99999999999,"role":"admin"}"#,
        );
        let token = format!("Bearer {header}.{body}.");
        assert!(verifier(&settings()).viewer(Some(&token)).is_err());
    }

    #[test]
    fn no_header_is_anonymous() {
        assert!(
            verifier(&settings())
                .viewer(None)
                .is_ok_and(|v| v.role == Role::Anonymous)
        );
    }
}
