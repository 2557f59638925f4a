//! Where a service's TLS material is: its certificate chain, its key and the CA it trusts.
//!
//! TLS between services is mutual or absent. The three files come together because a service
//! both serves (certificate + key, and the CA to check callers' certificates) and calls (the CA
//! to check servers, and the same certificate + key to prove itself): a partial set would give
//! a server that accepts anyone or a client that trusts no one, so it is refused at start.

use std::path::PathBuf;

use super::{ConfigError, Scoped};

/// The keys read, in the order their absence is reported.
const KEYS: [&str; 3] = ["TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_CA_FILE"];

/// `GENUINE_TLS_CERT_FILE`, `GENUINE_TLS_KEY_FILE`, `GENUINE_TLS_CA_FILE` (each overridable per
/// service as `GENUINE_<SVC>_TLS_*`): PEM files, read when the service starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The service's certificate chain, leaf first; presented as server and as client.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, SEC1 or PKCS#1).
    pub key: PathBuf,
    /// The CA certificate(s) peers' certificates must chain to.
    pub ca: PathBuf,
}

/// The PEM contents of [`TlsFiles`].
#[derive(Clone)]
pub struct TlsPem {
    /// Certificate chain.
    pub cert: Vec<u8>,
    /// Private key.
    pub key: Vec<u8>,
    /// Trusted CA certificate(s).
    pub ca: Vec<u8>,
}

impl std::fmt::Debug for TlsPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key never reaches logs.
        f.debug_struct("TlsPem").finish_non_exhaustive()
    }
}

impl TlsFiles {
    /// All three files, none, or an error naming the first missing variable.
    ///
    /// # Errors
    /// When some but not all of the variables are set.
    pub fn load(s: &Scoped<'_>) -> Result<Option<Self>, ConfigError> {
        let [cert, key, ca] = KEYS.map(|k| s.optional(k).map(PathBuf::from));
        match (cert, key, ca) {
            (None, None, None) => Ok(None),
            (Some(cert), Some(key), Some(ca)) => Ok(Some(Self { cert, key, ca })),
            (cert, key, ca) => {
                let given = [cert.is_some(), key.is_some(), ca.is_some()];
                let missing = KEYS
                    .iter()
                    .zip(given)
                    .find_map(|(k, set)| (!set).then_some(*k))
                    .unwrap_or(KEYS[0]);
                Err(ConfigError::new(
                    format!("GENUINE_{missing}"),
                    "required with the other GENUINE_TLS_* files: TLS between services is \
                     mutual, so certificate, key and CA are set together (or none of them)",
                ))
            }
        }
    }

    /// Reads the three files.
    ///
    /// # Errors
    /// A file that cannot be read, naming its variable and path.
    pub fn read(&self) -> Result<TlsPem, ConfigError> {
        let read = |key: &str, path: &PathBuf| {
            std::fs::read(path).map_err(|e| {
                ConfigError::new(
                    format!("GENUINE_{key}"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })
        };
        Ok(TlsPem {
            cert: read(KEYS[0], &self.cert)?,
            key: read(KEYS[1], &self.key)?,
            ca: read(KEYS[2], &self.ca)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    #[test]
    fn none_set_is_plaintext_and_all_set_is_tls() {
        let none = Source::default();
        assert_eq!(TlsFiles::load(&none.scoped("listing")), Ok(None));
        let all = Source::from_map([
            ("GENUINE_TLS_CERT_FILE", "/tls/tls.crt"),
            ("GENUINE_TLS_KEY_FILE", "/tls/tls.key"),
            ("GENUINE_TLS_CA_FILE", "/tls/ca.crt"),
            ("GENUINE_LISTING_TLS_CERT_FILE", "/listing/tls.crt"),
        ]);
        let files = TlsFiles::load(&all.scoped("listing"))
            .expect("valid")
            .expect("tls on");
        assert_eq!(
            files.cert,
            PathBuf::from("/listing/tls.crt"),
            "service wins"
        );
        assert_eq!(files.ca, PathBuf::from("/tls/ca.crt"));
    }

    #[test]
    fn a_partial_set_names_the_missing_variable() {
        let partial = Source::from_map([
            ("GENUINE_TLS_CERT_FILE", "/tls/tls.crt"),
            ("GENUINE_TLS_KEY_FILE", "/tls/tls.key"),
        ]);
        let err = TlsFiles::load(&partial.scoped("listing")).expect_err("no CA");
        assert_eq!(err.variable, "GENUINE_TLS_CA_FILE");
        let only_ca = Source::from_map([("GENUINE_ENFORCEMENT_TLS_CA_FILE", "/tls/ca.crt")]);
        let err = TlsFiles::load(&only_ca.scoped("enforcement")).expect_err("no cert");
        assert_eq!(err.variable, "GENUINE_TLS_CERT_FILE");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let files = TlsFiles {
            cert: PathBuf::from("/nonexistent/tls.crt"),
            key: PathBuf::from("/nonexistent/tls.key"),
            ca: PathBuf::from("/nonexistent/ca.crt"),
        };
        let err = files.read().expect_err("missing");
        assert_eq!(err.variable, "GENUINE_TLS_CERT_FILE");
        assert!(err.message.contains("/nonexistent/tls.crt"), "{err}");
    }
}
