//! The server half of mutual TLS: present the service's certificate and accept only callers
//! whose certificate chains to the configured CA.

use std::time::Duration;

use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use crate::config::TlsPem;

/// Longest a TLS handshake may take, so half-open connections cannot hold sockets forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Server TLS from `pem`. The CA is always set and client authentication is never optional:
/// TLS between services is mutual (see [`crate::config::TlsFiles`]), so a caller without a
/// certificate signed by the CA fails the handshake before any request is read. Malformed PEM
/// is reported when the server starts ([`super::GrpcServer::serve`]).
#[must_use]
pub fn server_tls_config(pem: &TlsPem) -> ServerTlsConfig {
    ServerTlsConfig::new()
        .identity(Identity::from_pem(&pem.cert, &pem.key))
        .client_ca_root(Certificate::from_pem(&pem.ca))
        .client_auth_optional(false)
        .timeout(HANDSHAKE_TIMEOUT)
}
