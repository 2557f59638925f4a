//! Identity and access for internal gRPC: every call carries a bearer JWT naming the caller and
//! its roles; each service declares in one table which roles may call each RPC; one layer
//! enforces it, so handlers never re-implement the check and only do finer ones (ownership,
//! jurisdiction) with the [`Principal`] it hands them.
//!
//! A server: `TokenVerifier::new(config)?` once, an [`AccessPolicy`] per service, and
//! [`AuthLayer::new`] in the tower stack. A handler: `let who = auth::principal(&request)?;`.
//! Outgoing calls get service tokens from a [`TokenIssuer`] (see `crate::clients`).

mod actor;
mod claims;
mod descriptor;
mod error;
mod extract;
mod issuer;
mod keys;
mod layer;
mod policy;
mod principal;
mod role;
mod verifier;

#[cfg(test)]
mod layer_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod verifier_tests;

pub use actor::Actor;
pub use claims::{Audience, Claims};
pub use error::AuthError;
pub use extract::principal;
pub use issuer::{TokenIssuer, TokenRequest};
pub use keys::{AuthConfig, VerificationKey};
pub use layer::{AuthLayer, AuthService};
pub use policy::{AccessPolicy, Allow, Denied, PolicyConflict, RoleList, ServiceRules};
pub use principal::Principal;
pub use role::{Role, ServiceName, UnknownRole};
pub use verifier::{LEEWAY_SECS, TokenVerifier};
