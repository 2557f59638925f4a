//! Where a peer service is and how long calls to it may take.

use std::time::Duration;

use tonic::transport::ClientTlsConfig;

/// Settings of one outgoing channel.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http://host:port` of the peer (e.g. `http://127.0.0.1:50052`).
    pub endpoint: String,
    /// Upper bound on establishing the TCP/HTTP2 connection.
    pub connect_timeout: Duration,
    /// Deadline given to every call that does not set its own.
    pub deadline: Duration,
    /// TLS for `https://` endpoints ([`super::client_tls_config`]); `None` for plaintext.
    pub tls: Option<ClientTlsConfig>,
}

impl ClientConfig {
    /// Default connect timeout: a peer that cannot accept a connection in a second is down.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default per-call deadline; latency-critical callers set their own (screening: 50 ms).
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

    /// A config for `endpoint` with the default timeouts.
    pub fn new(endpoint: impl Into<String>) -> Self {
        ClientConfig {
            endpoint: endpoint.into(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            deadline: Self::DEFAULT_DEADLINE,
            tls: None,
        }
    }

    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn with_connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// Uses `tls` (or plaintext with `None`), e.g. the service's [`super::client_tls_config`].
    pub fn with_tls(mut self, tls: Option<ClientTlsConfig>) -> Self {
        self.tls = tls;
        self
    }
}
