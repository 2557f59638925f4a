//! Verification settings: who issues tokens, for whom, and with which key.

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};

use super::error::AuthError;

/// The key that verifies tokens. Its type pins the one algorithm accepted, so a token cannot
/// choose its own (`alg: none`, or HS256 signed with a public key as the secret).
#[derive(Clone, PartialEq, Eq)]
pub enum VerificationKey {
    /// Shared secret (the embedded default: generated on first start).
    Hs256(Vec<u8>),
    /// PEM-encoded P-256 public key (`-----BEGIN PUBLIC KEY-----`).
    Es256PublicPem(String),
    /// PEM-encoded RSA public key.
    Rs256PublicPem(String),
}

impl VerificationKey {
    /// The only algorithm tokens checked with this key may use.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            VerificationKey::Hs256(_) => Algorithm::HS256,
            VerificationKey::Es256PublicPem(_) => Algorithm::ES256,
            VerificationKey::Rs256PublicPem(_) => Algorithm::RS256,
        }
    }

    pub(crate) fn algorithm_name(&self) -> &'static str {
        match self {
            VerificationKey::Hs256(_) => "HS256",
            VerificationKey::Es256PublicPem(_) => "ES256",
            VerificationKey::Rs256PublicPem(_) => "RS256",
        }
    }

    pub(crate) fn decoding_key(&self) -> Result<DecodingKey, AuthError> {
        match self {
            VerificationKey::Hs256(secret) if secret.is_empty() => {
                Err(AuthError::InvalidKey("HS256"))
            }
            VerificationKey::Hs256(secret) => {
                DecodingKey::from_secret(secret).map_err(|_| AuthError::InvalidKey("HS256"))
            }
            VerificationKey::Es256PublicPem(pem) => DecodingKey::from_ec_pem(pem.as_bytes())
                .map_err(|_| AuthError::InvalidKey("ES256 public")),
            VerificationKey::Rs256PublicPem(pem) => DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|_| AuthError::InvalidKey("RS256 public")),
        }
    }
}

/// Prints the key type only: a shared secret must never reach a log.
impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationKey::{}(..)", self.algorithm_name())
    }
}

/// What [`super::TokenVerifier`] checks besides the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud` (one of, when the token carries several).
    pub audience: String,
    pub key: VerificationKey,
}

impl AuthConfig {
    /// HS256 with a shared secret: the embedded default.
    pub fn hs256(
        secret: impl Into<Vec<u8>>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        AuthConfig {
            issuer: issuer.into(),
            audience: audience.into(),
            key: VerificationKey::Hs256(secret.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_secret() {
        let config = AuthConfig::hs256(b"hunter2-hunter2".to_vec(), "genuine", "genuine");
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("104"), "{printed}"); // nor its bytes
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(VerificationKey::Hs256(Vec::new()).decoding_key().is_err());
        assert!(
            VerificationKey::Es256PublicPem("not a pem".into())
                .decoding_key()
                .is_err()
        );
    }
}
