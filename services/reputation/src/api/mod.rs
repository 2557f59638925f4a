//! The gRPC API: SellerReputationService over the store, with its access table.
//!
//! Each RPC validates its request (every bad field at once), applies the finer access checks of
//! [`access`], calls the store and converts the answer. Handlers are grouped by resource in
//! `sellers`, `records` and `suspensions`; [`service`] binds them to the generated trait.

pub mod access;
mod close;
pub mod convert;
mod policy;
mod records;
mod sellers;
mod service;
mod suspensions;
mod validate;

pub use policy::access_policy;

use crate::store::Store;

/// The SellerReputationService implementation.
#[derive(Debug, Clone)]
pub struct ReputationApi {
    store: Store,
}

impl ReputationApi {
    /// The API over `store`.
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}
