//! Who is calling: regulators' bearer tokens checked with the runtime's verifier (keys from the
//! suite's settings or a JWKS file), scopes per route, and the [`Caller`] extractor that turns
//! a request into an authorised, rate-limited, audited principal.

mod authenticator;
mod caller;
mod jwks;
mod scope;

pub use authenticator::Authenticator;
pub use caller::Caller;
pub use scope::{RequiredScope, Scope, needs};
