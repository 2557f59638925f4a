//! Checks bearer tokens and turns them into principals.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;

use super::claims::Claims;
use super::error::AuthError;
use super::keys::AuthConfig;
use super::principal::Principal;

/// Clock skew tolerated on `exp` and `nbf`, in seconds: small, since all issuers are ours.
pub const LEEWAY_SECS: u64 = 30;

/// Verifies tokens against one key, issuer and audience. Built once at start-up and shared.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    algorithm: &'static str,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.validation.iss)
            .field("audience", &self.validation.aud)
            .finish_non_exhaustive()
    }
}

/// Only the header field we check before handing the token to `jsonwebtoken`, whose `Algorithm`
/// cannot even represent `none`.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
}

impl TokenVerifier {
    /// Fails when the configured key cannot be loaded.
    pub fn new(config: AuthConfig) -> Result<Self, AuthError> {
        let key = config.key.decoding_key()?;
        let mut validation = Validation::new(config.key.algorithm());
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_issuer(&[config.issuer]);
        validation.set_audience(&[config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(TokenVerifier {
            key,
            validation,
            algorithm: config.key.algorithm_name(),
        })
    }

    /// Verifies signature, algorithm, issuer, audience and expiry, and returns the principal.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        self.check_algorithm(token)?;
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|err| AuthError::from_verify(&err))?;
        if data.claims.sub.is_empty() {
            return Err(AuthError::MissingClaim("sub".to_owned()));
        }
        Ok(data.claims.into_principal())
    }

    /// Rejects any `alg` but the pinned one with a precise error (including `none`).
    fn check_algorithm(&self, token: &str) -> Result<(), AuthError> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed("expected three dot-separated parts"));
        };
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| AuthError::Malformed("header is not valid base64url"))?;
        let header: RawHeader = serde_json::from_slice(&header)
            .map_err(|_| AuthError::Malformed("header is not a JSON object with `alg`"))?;
        if header.alg != self.algorithm {
            // The name is echoed only when it is a plausible algorithm name, never free text.
            let found =
                if header.alg.len() <= 8 && header.alg.chars().all(|c| c.is_ascii_alphanumeric()) {
                    header.alg
                } else {
                    "(unrecognised)".to_owned()
                };
            return Err(AuthError::WrongAlgorithm {
                expected: self.algorithm,
                found,
            });
        }
        Ok(())
    }
}
