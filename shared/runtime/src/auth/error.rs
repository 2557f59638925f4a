//! Why a token was refused (or could not be made), and how that maps to a gRPC status.

use jsonwebtoken::errors::ErrorKind;

/// Authentication failures. Messages name the problem but never contain the token, its claims
/// or key material, so they are safe to send to the caller and to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token in the `authorization` header")]
    Missing,
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet (nbf)")]
    NotYetValid,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token was not issued by the expected issuer")]
    WrongIssuer,
    #[error("token is not meant for this audience")]
    WrongAudience,
    #[error("token algorithm `{found}` is not accepted; expected `{expected}`")]
    WrongAlgorithm {
        expected: &'static str,
        found: String,
    },
    #[error("token lacks the required claim `{0}`")]
    MissingClaim(String),
    /// A configured key could not be loaded (a start-up error, not a caller error).
    #[error("invalid {0} key")]
    InvalidKey(&'static str),
    /// Minting failed (a server-side error, not a caller error).
    #[error("could not sign token")]
    Signing,
}

impl AuthError {
    /// Whether the fault is ours (key or signing) rather than the caller's token.
    pub fn is_internal(&self) -> bool {
        matches!(self, AuthError::InvalidKey(_) | AuthError::Signing)
    }

    /// Maps a `jsonwebtoken` verification error without carrying its text along, since some of
    /// its variants quote parts of the token.
    pub(crate) fn from_verify(err: &jsonwebtoken::errors::Error) -> Self {
        match err.kind() {
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::ImmatureSignature => AuthError::NotYetValid,
            ErrorKind::InvalidSignature => AuthError::BadSignature,
            ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
            ErrorKind::InvalidAudience => AuthError::WrongAudience,
            ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
            ErrorKind::InvalidClaimFormat(_) | ErrorKind::Json(_) => {
                AuthError::Malformed("claims are not of the expected shape")
            }
            ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                AuthError::Malformed("a part is not valid base64url")
            }
            ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat => AuthError::BadSignature,
            _ => AuthError::Malformed("not a valid JWT"),
        }
    }
}

impl From<AuthError> for tonic::Status {
    /// Caller faults become `UNAUTHENTICATED` with the reason; our own faults become `INTERNAL`
    /// without detail (logged here instead).
    fn from(err: AuthError) -> Self {
        if err.is_internal() {
            tracing::error!(error = %err, "authentication machinery failed");
            tonic::Status::internal("internal error")
        } else if err == AuthError::Missing {
            tonic::Status::unauthenticated(format!("authentication required: {err}"))
        } else {
            tonic::Status::unauthenticated(format!("invalid credentials: {err}"))
        }
    }
}
