//! Development tokens: HS256 with the configured secret (`sagshub token`), and ES256 with a key
//! pair made at start ([`DevSigner`], `sagshub demo`, which serves its public half as a JWKS).

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use aws_lc_rs::encoding::{AsBigEndian, EcPublicKeyUncompressedBin};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::settings::AuthSettings;

/// What a development token says.
#[derive(Clone, Debug)]
pub enum DevIdentity {
    /// A citizen with this CPR number.
    Citizen {
        /// `DDMMYY-SSSS`.
        cpr: String,
    },
    /// A third party (an attorney, a union, a relative) who acts for citizens under a consent.
    ThirdParty {
        /// Who they are, for people reading logs and consents.
        name: String,
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

/// The claims of a development token for `subject`, valid from now for `ttl_secs`, with the
/// configured issuer, audience and claim names.
pub fn dev_claims(
    settings: &AuthSettings,
    subject: &str,
    identity: &DevIdentity,
    ttl_secs: u64,
) -> Result<Value> {
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
        "exp": now.saturating_add(ttl_secs),
    });
    let obj = claims.as_object_mut().context("claims object")?;
    match identity {
        DevIdentity::Citizen { cpr } => {
            obj.insert(names.role.clone(), json!("citizen"));
            obj.insert(names.cpr.clone(), json!(cpr));
        }
        DevIdentity::ThirdParty { name } => {
            obj.insert(names.role.clone(), json!("third_party"));
            obj.insert(names.name.clone(), json!(name));
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
    Ok(claims)
}

/// Mint an HS256 development token valid for `ttl_secs` (needs `auth.hs256_secret`).
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
    let claims = dev_claims(settings, subject, identity, ttl_secs)?;
    let key = EncodingKey::from_secret(secret.as_bytes())
        .context("auth.hs256_secret is not usable as a key")?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).context("signing the token")
}

/// An ES256 (P-256) key pair made in memory, standing in for an identity provider: it signs
/// tokens with its `kid` and publishes its public key as a JWK. The private key never leaves
/// the process.
pub struct DevSigner {
    kid: String,
    key: EncodingKey,
    jwk: Value,
}

impl DevSigner {
    /// A fresh P-256 key pair named `kid`.
    pub fn generate_es256(kid: impl Into<String>) -> Result<Self> {
        let kid = kid.into();
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| anyhow::anyhow!("generating a P-256 key pair failed"))?;
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| anyhow::anyhow!("encoding the P-256 key failed"))?;
        let point: EcPublicKeyUncompressedBin<'static> = pair
            .public_key()
            .as_be_bytes()
            .map_err(|_| anyhow::anyhow!("encoding the P-256 public key failed"))?;
        let point = point.as_ref();
        // SEC1 uncompressed: 0x04 || x (32 bytes) || y (32 bytes).
        if point.len() != 65 || point[0] != 4 {
            anyhow::bail!("unexpected P-256 public key encoding");
        }
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwk = json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64.encode(&point[1..33]),
            "y": b64.encode(&point[33..65]),
            "kid": kid,
            "alg": "ES256",
            "use": "sig",
        });
        Ok(Self {
            kid,
            key: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk,
        })
    }

    /// The key id tokens carry in their header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// A JWKS document with just this key.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// Sign `claims` as an ES256 JWT with this key's `kid`.
    pub fn sign(&self, claims: &Value) -> Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).context("signing the token")
    }

    /// Mint an ES256 development token, as [`mint_dev_token`] does with HS256.
    pub fn mint(
        &self,
        settings: &AuthSettings,
        subject: &str,
        identity: &DevIdentity,
        ttl_secs: u64,
    ) -> Result<String> {
        self.sign(&dev_claims(settings, subject, identity, ttl_secs)?)
    }
}
