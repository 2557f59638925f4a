//! The client half of mutual TLS: trust only the configured CA and present the service's own
//! certificate, so peers that require client certificates let the call through.

use tonic::transport::{Certificate, ClientTlsConfig, Identity};

use crate::config::TlsPem;

/// Client TLS from `pem`. The server's name is checked against the peer URL's host (e.g.
/// `https://listing:50051` needs a certificate for `listing`). Malformed PEM is reported when a
/// channel is built ([`super::connect_lazy`]).
#[must_use]
pub fn client_tls_config(pem: &TlsPem) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&pem.ca))
        .identity(Identity::from_pem(&pem.cert, &pem.key))
        // The servers are tonic with ALPN h2; say so in case a proxy strips ALPN.
        .assume_http2(true)
}
