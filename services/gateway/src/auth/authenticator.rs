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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::engine::general_purpose::STANDARD;
    use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};

    use super::*;

    /// A throwaway P-256 key pair for these tests only.
    const EC_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3dFY246qNo+KMqsd
1OhDUyPFsSYNhXL41dkzVApW5aChRANCAAQrJlNCOBz73IPOXCevlv+dWb/dE+64
1ZuV5FE8rC/1ckJ+UY6FbaBDpm4CeV2vYX/1Rdjy3X8Tu+h1cQ7eTmQU
-----END PRIVATE KEY-----
";
    const EC_PUBLIC_DER_B64: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKyZTQjgc+9yDzlwnr5b/nVm/3RPuuNWbleRRPKwv9XJCflGOhW2gQ6ZuAnldr2F/9UXY8t1/E7vodXEO3k5kFA==";
    const SECRET: &[u8] = b"jwks-test-secret-0123456789abcdef";

    /// A JWKS with the EC key (`ec-1`) and a symmetric key (`oct-1`).
    fn jwks() -> String {
        let der = STANDARD.decode(EC_PUBLIC_DER_B64).expect("der");
        let point = &der[der.len() - 64..];
        let (x, y) = point.split_at(32);
        format!(
            r#"{{"keys":[
                {{"kty":"EC","crv":"P-256","kid":"ec-1","alg":"ES256","use":"sig","x":"{}","y":"{}"}},
                {{"kty":"oct","kid":"oct-1","k":"{}"}}
            ]}}"#,
            URL_SAFE_NO_PAD.encode(x),
            URL_SAFE_NO_PAD.encode(y),
            URL_SAFE_NO_PAD.encode(SECRET),
        )
    }

    fn request() -> TokenRequest {
        TokenRequest::new("reg-1", vec![Role::Regulator], Duration::from_secs(60))
    }

    #[test]
    fn tokens_signed_by_any_jwks_key_verify_with_its_pinned_algorithm() {
        let keys = jwks::parse(&jwks()).expect("jwks");
        let authenticator = Authenticator::new("genuine", "genuine", keys).expect("keys load");

        let es = TokenIssuer::from_pem_es256(EC_PRIVATE_PEM.as_bytes(), "genuine", "genuine")
            .expect("issuer")
            .mint(&request())
            .expect("mint");
        assert_eq!(authenticator.verify(&es).expect("ES256").subject, "reg-1");

        let hs = TokenIssuer::hs256(SECRET, "genuine", "genuine")
            .expect("issuer")
            .mint(&request())
            .expect("mint");
        assert!(authenticator.verify(&hs).is_ok(), "HS256 with the oct key");

        let forged =
            TokenIssuer::hs256(b"some-other-secret-0123456789abcdef", "genuine", "genuine")
                .expect("issuer")
                .mint(&request())
                .expect("mint");
        assert!(authenticator.verify(&forged).is_err());

        let other_issuer =
            TokenIssuer::from_pem_es256(EC_PRIVATE_PEM.as_bytes(), "evil", "genuine")
                .expect("issuer")
                .mint(&request())
                .expect("mint");
        assert_eq!(
            authenticator.verify(&other_issuer),
            Err(AuthError::WrongIssuer)
        );
    }

    #[test]
    fn the_kid_selects_the_key() {
        assert_eq!(
            key_id("eyJhbGciOiJIUzI1NiIsImtpZCI6Im9jdC0xIn0.e30.x").as_deref(),
            Some("oct-1")
        );
        assert_eq!(key_id("eyJhbGciOiJIUzI1NiJ9.e30.x"), None);
        assert_eq!(key_id("garbage"), None);
    }
}
