//! The gRPC API: ListingService over the store and the screening engine, with its access table.
//!
//! Each RPC validates its request (every bad field at once), applies the finer access checks
//! (a seller acts on its own listings, a rights holder on its own brands), calls the store,
//! updates the live screening catalogue, and converts the answer. Handlers are grouped by
//! resource; [`service`] binds them to the generated trait.

mod brands;
pub mod convert;
mod listings;
mod measures;
mod metrics;
mod policy;
mod screen;
mod service;
mod terms;
mod validate;
mod withdraw;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::outbox::Wake;
use sea_orm::DatabaseConnection;

pub use policy::access_policy;

use crate::clients::reputation::StandingClient;
use crate::config::ListingConfig;
use crate::screening::LiveCatalog;
use crate::store::{self, Actor, GroupCommit};

/// The ListingService implementation.
#[derive(Debug, Clone)]
pub struct ListingApi {
    db: DatabaseConnection,
    clock: SharedClock,
    catalog: Arc<LiveCatalog>,
    config: Arc<ListingConfig>,
    standing: StandingClient,
    wake: Wake,
    /// Batches concurrent CreateListings into one transaction.
    creates: GroupCommit,
}

impl ListingApi {
    /// The API over its database, live catalogue and standing client. Spawns the group-commit
    /// writer of CreateListing, so it must be called within a Tokio runtime.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        catalog: Arc<LiveCatalog>,
        config: Arc<ListingConfig>,
        standing: StandingClient,
        wake: Wake,
    ) -> Self {
        let creates = GroupCommit::start(db.clone(), store::MAX_BATCH, store::LINGER);
        Self {
            db,
            clock,
            catalog,
            config,
            standing,
            wake,
            creates,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Roles that see every listing whatever its status: staff, regulators and services.
fn sees_everything(who: &Principal) -> bool {
    who.is_service() || who.has_any(&[Role::Admin, Role::Reviewer, Role::Regulator])
}

/// The actor recorded for a change by `who` on an RPC open to `allowed`.
fn actor(who: &Principal, allowed: &[Role]) -> Actor {
    let role = who
        .acting_role_among(allowed)
        .map_or_else(|| who.acting_role().to_owned(), |r| r.as_str().to_owned());
    Actor::new(who.subject.clone(), role)
}
