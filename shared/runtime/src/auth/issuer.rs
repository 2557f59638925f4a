//! Mints tokens: service tokens for outgoing calls, and user tokens for `genuine token` and tests.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::claims::{Audience, Claims};
use super::error::AuthError;
use super::role::{Role, ServiceName};

/// What a minted token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<Role>,
    pub agency: Option<String>,
    pub jurisdiction: Option<String>,
    pub scopes: Vec<String>,
    pub ttl: Duration,
}

impl TokenRequest {
    /// A token for `subject` with `roles` and no optional claims.
    pub fn new(subject: impl Into<String>, roles: Vec<Role>, ttl: Duration) -> Self {
        TokenRequest {
            subject: subject.into(),
            roles,
            agency: None,
            jurisdiction: None,
            scopes: Vec::new(),
            ttl,
        }
    }

    /// The token a service presents to its peers: subject `listing`, role `service:listing`.
    pub fn service(name: ServiceName, ttl: Duration) -> Self {
        TokenRequest::new(name.as_str(), vec![Role::Service(name)], ttl)
    }
}

/// Signs tokens with one private key (or shared secret) for one issuer and audience.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
    algorithm: Algorithm,
    issuer: String,
    audience: String,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// HS256 with a shared secret (the embedded default); the same secret verifies.
    pub fn hs256(
        secret: &[u8],
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, AuthError> {
        if secret.is_empty() {
            return Err(AuthError::InvalidKey("HS256"));
        }
        let key = EncodingKey::from_secret(secret).map_err(|_| AuthError::InvalidKey("HS256"))?;
        Ok(Self::with_key(key, Algorithm::HS256, issuer, audience))
    }

    /// ES256 with a PEM-encoded P-256 private key (PKCS#8).
    pub fn from_pem_es256(
        private_pem: &[u8],
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, AuthError> {
        let key = EncodingKey::from_ec_pem(private_pem)
            .map_err(|_| AuthError::InvalidKey("ES256 private"))?;
        Ok(Self::with_key(key, Algorithm::ES256, issuer, audience))
    }

    /// RS256 with a PEM-encoded RSA private key (PKCS#1 or PKCS#8).
    pub fn from_pem_rs256(
        private_pem: &[u8],
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, AuthError> {
        let key = EncodingKey::from_rsa_pem(private_pem)
            .map_err(|_| AuthError::InvalidKey("RS256 private"))?;
        Ok(Self::with_key(key, Algorithm::RS256, issuer, audience))
    }

    fn with_key(
        key: EncodingKey,
        algorithm: Algorithm,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        TokenIssuer {
            key,
            algorithm,
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Mints a token valid from now for `request.ttl`.
    pub fn mint(&self, request: &TokenRequest) -> Result<String, AuthError> {
        self.mint_at(request, SystemTime::now())
    }

    /// Mints a token as if issued at `issued_at` (tests use a past instant for expired tokens;
    /// an injected clock can drive it too).
    pub fn mint_at(
        &self,
        request: &TokenRequest,
        issued_at: SystemTime,
    ) -> Result<String, AuthError> {
        let iat = issued_at
            .duration_since(UNIX_EPOCH)
            .map_err(|_| AuthError::Signing)?
            .as_secs();
        let scope = (!request.scopes.is_empty()).then(|| request.scopes.join(" "));
        let claims = Claims {
            sub: request.subject.clone(),
            roles: request
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            agency: request.agency.clone(),
            jurisdiction: request.jurisdiction.clone(),
            scope,
            iss: self.issuer.clone(),
            aud: Audience::One(self.audience.clone()),
            exp: iat.saturating_add(request.ttl.as_secs().max(1)),
            iat,
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.key).map_err(|err| {
            tracing::error!(error = %err, "signing a token failed");
            AuthError::Signing
        })
    }
}
