//! The token a service presents on its outgoing calls.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use tonic::metadata::{AsciiMetadataValue, MetadataValue};

use super::error::ClientError;
use crate::auth::{ServiceName, TokenIssuer, TokenRequest};

/// Default lifetime of a minted service token: short, since it is re-minted for free.
pub const DEFAULT_SERVICE_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

/// The `authorization` value for outgoing calls: a static token, or one minted for this
/// service and cached until shortly before it expires. Cheap to clone (shared cache).
#[derive(Clone)]
pub struct ServiceCredentials {
    source: Arc<Source>,
}

enum Source {
    Static(AsciiMetadataValue),
    /// Boxed: the issuer's key is much larger than a header value.
    Minted(Box<Minted>),
}

struct Minted {
    issuer: TokenIssuer,
    request: TokenRequest,
    cache: RwLock<Option<Cached>>,
}

struct Cached {
    value: AsciiMetadataValue,
    refresh_at: Instant,
}

impl fmt::Debug for ServiceCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Static(_) => f.write_str("ServiceCredentials::Static(..)"),
            Source::Minted(minted) => f
                .debug_struct("ServiceCredentials::Minted")
                .field("subject", &minted.request.subject)
                .field("ttl", &minted.request.ttl)
                .finish_non_exhaustive(),
        }
    }
}

impl ServiceCredentials {
    /// Tokens for `service` (subject `listing`, role `service:listing`) with the default TTL.
    pub fn for_service(issuer: TokenIssuer, service: ServiceName) -> Self {
        Self::minted(
            issuer,
            TokenRequest::service(service, DEFAULT_SERVICE_TOKEN_TTL),
        )
    }

    /// Tokens minted from `request`, re-minted when 80 % of `request.ttl` has passed (so a
    /// token never reaches a peer about to expire).
    pub fn minted(issuer: TokenIssuer, request: TokenRequest) -> Self {
        ServiceCredentials {
            source: Arc::new(Source::Minted(Box::new(Minted {
                issuer,
                request,
                cache: RwLock::new(None),
            }))),
        }
    }

    /// A token configured from outside (e.g. issued by another party), sent as is.
    pub fn static_token(token: &str) -> Result<Self, ClientError> {
        let value = bearer_value(token).map_err(|_| ClientError::InvalidToken)?;
        Ok(ServiceCredentials {
            source: Arc::new(Source::Static(value)),
        })
    }

    /// The `authorization` metadata value (`Bearer …`). On the hot path this is a read lock
    /// and a cheap clone; minting happens once per refresh period.
    pub fn authorization(&self) -> Result<AsciiMetadataValue, tonic::Status> {
        match &*self.source {
            Source::Static(value) => Ok(value.clone()),
            Source::Minted(minted) => minted.current(Instant::now()),
        }
    }
}

impl Minted {
    fn current(&self, now: Instant) -> Result<AsciiMetadataValue, tonic::Status> {
        {
            let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(cached) = cache.as_ref().filter(|c| now < c.refresh_at) {
                return Ok(cached.value.clone());
            }
        }
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        // Another caller may have refreshed while we waited for the write lock.
        if let Some(cached) = cache.as_ref().filter(|c| now < c.refresh_at) {
            return Ok(cached.value.clone());
        }
        let token = self
            .issuer
            .mint(&self.request)
            .map_err(tonic::Status::from)?;
        let value = bearer_value(&token).map_err(|_| {
            tracing::error!("minted token is not a valid header value");
            tonic::Status::internal("internal error")
        })?;
        *cache = Some(Cached {
            value: value.clone(),
            refresh_at: now + self.request.ttl.mul_f64(0.8),
        });
        Ok(value)
    }
}

fn bearer_value(
    token: &str,
) -> Result<AsciiMetadataValue, tonic::metadata::errors::InvalidMetadataValue> {
    let mut value: AsciiMetadataValue =
        MetadataValue::try_from(format!("Bearer {}", token.trim()))?;
    // Keeps the token out of HPACK tables and out of debug output.
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthConfig, Role, TokenVerifier};

    const SECRET: &[u8] = b"clients-test-secret-0123456789ab";

    fn issuer() -> TokenIssuer {
        TokenIssuer::hs256(SECRET, "genuine", "genuine").expect("issuer")
    }

    fn token_of(value: &AsciiMetadataValue) -> String {
        value
            .to_str()
            .expect("ascii")
            .strip_prefix("Bearer ")
            .expect("bearer")
            .to_owned()
    }

    #[test]
    fn service_tokens_name_the_service() {
        let creds = ServiceCredentials::for_service(issuer(), ServiceName::Listing);
        let token = token_of(&creds.authorization().expect("token"));
        let verifier =
            TokenVerifier::new(AuthConfig::hs256(SECRET, "genuine", "genuine")).expect("verifier");
        let principal = verifier.verify(&token).expect("valid");
        assert_eq!(principal.subject, "listing");
        assert_eq!(principal.roles, vec![Role::Service(ServiceName::Listing)]);
    }

    #[test]
    fn tokens_are_cached_then_re_minted_after_expiry() {
        let creds = ServiceCredentials::minted(
            issuer(),
            TokenRequest::service(ServiceName::Gateway, Duration::from_secs(1)),
        );
        let first = creds.authorization().expect("token");
        assert_eq!(creds.authorization().expect("token"), first, "cached");
        // `exp` has one-second resolution: after 1.1 s the new token's `iat` differs.
        std::thread::sleep(Duration::from_millis(1100));
        let second = creds.authorization().expect("token");
        assert_ne!(second, first, "re-minted");
        assert_eq!(
            creds.authorization().expect("token"),
            second,
            "cached again"
        );
    }

    #[test]
    fn static_tokens_are_sent_as_is_and_must_be_ascii() {
        let creds = ServiceCredentials::static_token("abc.def.ghi").expect("token");
        assert_eq!(
            token_of(&creds.authorization().expect("token")),
            "abc.def.ghi"
        );
        assert!(ServiceCredentials::static_token("bad\ntoken").is_err());
        assert!(!format!("{creds:?}").contains("abc"));
    }
}
