//! Errors building a client (start-up time; call failures are `tonic::Status`).

/// Why a channel or credentials could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid endpoint `{endpoint}`: {source}")]
    InvalidEndpoint {
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    #[error("TLS settings unusable for `{endpoint}`: {source}")]
    InvalidTls {
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    #[error(
        "`{endpoint}` is not https:// although TLS is configured; calls would go out in plaintext"
    )]
    PlaintextWithTls { endpoint: String },
    #[error("a static service token must be printable ASCII")]
    InvalidToken,
}
