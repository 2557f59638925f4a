//! Typed configuration: defaults, then an optional file, then the environment.
//!
//! Every setting is an environment variable. A service reads `GENUINE_<SERVICE>_<KEY>` first and
//! falls back to the suite-wide `GENUINE_<KEY>`, so one variable configures every service and a
//! service-specific one overrides it. `GENUINE_CONFIG_FILE` may name a file of `KEY=value` lines
//! applied before the environment. Parsing works on a map, so tests never touch the process
//! environment. A bad value fails at start, naming the variable.

mod secret;
mod service;
mod source;
mod tls;

pub use secret::Secret;
pub use service::{PeerUrls, ServiceSettings};
pub use source::{ConfigError, Scoped, Source};
pub use tls::{TlsFiles, TlsPem};
