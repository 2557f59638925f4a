//! Verifying regulators' bearer tokens with the runtime's [`TokenVerifier`]: one verifier per
//! configured key (a JWKS file may hold several, chosen by `kid`), each pinning its algorithm,
//! issuer, audience and expiry.

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use genuine_runtime::auth::{AuthConfig, AuthError, Principal, TokenVerifier, VerificationKey};
use genuine_runtime::config::ServiceSettings;

use super::jwks;

/// The gateway's token check.
#[derive(Debug, Clone)]
pub struct Authenticator {
    keys: Vec<(Option<String>, TokenVerifier)>,
}

impl Authenticator {
    /// Verifiers for the keys of a JWKS file when one is configured, else for the suite's
    /// public key file or shared secret (the same keys the services use).
    ///
    /// # Errors
    /// No key configured, or a key that cannot be read or loaded.
    pub fn from_settings(
        settings: &ServiceSettings,
        jwks_file: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let keys = if let Some(path) = jwks_file {
            let json = std::fs::read_to_string(path).with_context(|| {
                format!("GENUINE_GATEWAY_JWKS_FILE: cannot read {}", path.display())
            })?;
            jwks::parse(&json).map_err(|e| anyhow::anyhow!("GENUINE_GATEWAY_JWKS_FILE: {e}"))?
        } else if let Some(path) = &settings.auth_public_key_file {
            let pem = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "GENUINE_AUTH_PUBLIC_KEY_FILE: cannot read {}",
                    path.display()
                )
            })?;
            let key = if settings.auth_algorithm == "RS256" {
                VerificationKey::Rs256PublicPem(pem)
            } else {
                VerificationKey::Es256PublicPem(pem)
            };
            vec![(None, key)]
        } else if let Some(secret) = &settings.auth_secret {
            vec![(
                None,
                VerificationKey::Hs256(secret.expose().as_bytes().to_vec()),
            )]
        } else {
            bail!(
                "GENUINE_AUTH_SECRET: required (or GENUINE_AUTH_PUBLIC_KEY_FILE, or GENUINE_GATEWAY_JWKS_FILE)"
            );
        };
        Self::new(&settings.auth_issuer, &settings.auth_audience, keys)
    }

    /// Verifiers for `keys`, all with the same issuer and audience.
    ///
    /// # Errors
    /// A key that cannot be loaded.
    pub fn new(
        issuer: &str,
        audience: &str,
        keys: Vec<(Option<String>, VerificationKey)>,
    ) -> anyhow::Result<Self> {
        let keys = keys
            .into_iter()
            .map(|(kid, key)| {
                let config = AuthConfig {
                    issuer: issuer.to_owned(),
                    audience: audience.to_owned(),
                    key,
                };
                TokenVerifier::new(config)
                    .map(|v| (kid.clone(), v))
                    .with_context(|| format!("key {}", kid.as_deref().unwrap_or("(no kid)")))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { keys })
    }

    /// The principal of a valid token. With a `kid` naming a configured key only that key is
    /// tried; otherwise each key in turn, and the first key's refusal is reported.
    ///
    /// # Errors
    /// Why the token was refused (safe to show the caller).
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let kid = key_id(token);
        let named: Vec<_> = self
            .keys
            .iter()
            .filter(|(k, _)| kid.is_some() && *k == kid)
            .collect();
        let candidates = if named.is_empty() {
            self.keys.iter().collect()
        } else {
            named
        };
        let mut first_error = None;
        for (_, verifier) in candidates {
            match verifier.verify(token) {
                Ok(principal) => return Ok(principal),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(AuthError::Missing))
    }
}

/// The `kid` of a token's header, when it has one.
fn key_id(token: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Header {
        kid: Option<String>,
    }
    let header = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    serde_json::from_slice::<Header>(&bytes).ok()?.kid
}
