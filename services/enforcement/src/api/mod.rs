//! The gRPC API: EnforcementService over the store, with its access table.
//!
//! Each RPC validates its request (every bad field at once), applies the finer access checks of
//! [`access`] (source against role, regulator jurisdiction, the case's own parties), calls the
//! store and converts the answer. [`service`] binds the handlers to the generated trait.

pub mod access;
mod audit;
mod cases;
pub mod convert;
mod notices;
mod policy;
mod reads;
mod service;

pub use policy::access_policy;

use std::sync::Arc;

use genuine_runtime::outbox::Wake;

use crate::clients::ListingDirectory;
use crate::store::Store;

/// The EnforcementService implementation.
#[derive(Debug, Clone)]
pub struct EnforcementApi {
    store: Store,
    listings: Arc<dyn ListingDirectory>,
    wake: Wake,
}

impl EnforcementApi {
    /// The API over `store`, looking listings up in `listings` and waking the outbox dispatcher
    /// with `wake` after each change.
    #[must_use]
    pub fn new(store: Store, listings: Arc<dyn ListingDirectory>, wake: Wake) -> Self {
        Self {
            store,
            listings,
            wake,
        }
    }
}
