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
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::outbox::Wake;
use sea_orm::DatabaseConnection;

pub use policy::access_policy;

use crate::clients::jurisdiction::SellerJurisdictions;
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
    /// Sellers' jurisdictions, for regulators' reads.
    jurisdictions: SellerJurisdictions,
    wake: Wake,
    /// Batches concurrent CreateListings into one transaction.
    creates: GroupCommit,
}

impl ListingApi {
    /// The API over its database, live catalogue and seller-reputation clients. Spawns the group-commit
    /// writer of CreateListing, so it must be called within a Tokio runtime.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        catalog: Arc<LiveCatalog>,
        config: Arc<ListingConfig>,
        standing: StandingClient,
        jurisdictions: SellerJurisdictions,
        wake: Wake,
    ) -> Self {
        let creates = GroupCommit::start(db.clone(), wake.clone(), store::MAX_BATCH, store::LINGER);
        Self {
            db,
            clock,
            catalog,
            config,
            standing,
            jurisdictions,
            wake,
            creates,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Roles that see every listing whatever its status: staff, regulators and services.
/// Regulators only within their jurisdiction: see [`regulator_jurisdiction`].
fn sees_everything(who: &Principal) -> bool {
    who.is_service() || who.has_any(&[Role::Admin, Role::Reviewer, Role::Regulator])
}

/// The jurisdiction whose sellers' listings `who` is limited to: a regulator's, unless it is
/// also staff or a service. `None` for every other caller.
///
/// # Errors
/// `PERMISSION_DENIED` for a regulator whose token names no jurisdiction.
fn regulator_jurisdiction(who: &Principal) -> ServiceResult<Option<String>> {
    if !who.has_role(Role::Regulator)
        || who.is_service()
        || who.has_any(&[Role::Admin, Role::Reviewer])
    {
        return Ok(None);
    }
    who.jurisdiction
        .as_deref()
        .map(|j| Some(j.to_ascii_uppercase()))
        .ok_or_else(|| {
            ServiceError::permission_denied("the regulator's token names no jurisdiction")
        })
}

/// The actor recorded for a change by `who` on an RPC open to `allowed`.
fn actor(who: &Principal, allowed: &[Role]) -> Actor {
    let role = who
        .acting_role_among(allowed)
        .map_or_else(|| who.acting_role().to_owned(), |r| r.as_str().to_owned());
    Actor::new(who.subject.clone(), role)
}

#[cfg(test)]
mod tests {
    use genuine_runtime::auth::ServiceName;
    use genuine_runtime::errors::ErrorCode;

    use super::*;

    fn regulator(jurisdiction: Option<&str>, also: &[Role]) -> Principal {
        let mut p = Principal::new("agency", [Role::Regulator].into_iter().chain(also.to_vec()));
        p.jurisdiction = jurisdiction.map(str::to_owned);
        p
    }

    #[test]
    fn only_a_plain_regulator_is_limited_to_its_jurisdiction() {
        let limited = regulator_jurisdiction(&regulator(Some("de"), &[])).expect("a regulator");
        assert_eq!(limited.as_deref(), Some("DE"));
        for staff in [
            Role::Admin,
            Role::Reviewer,
            Role::Service(ServiceName::Enforcement),
        ] {
            let p = regulator(Some("DE"), &[staff]);
            assert_eq!(
                regulator_jurisdiction(&p).expect("staff"),
                None,
                "{staff:?}"
            );
        }
        let seller = Principal::new("s-1", [Role::Seller]);
        assert_eq!(regulator_jurisdiction(&seller).expect("a seller"), None);
        let nowhere = regulator_jurisdiction(&regulator(None, &[])).expect_err("no jurisdiction");
        assert_eq!(nowhere.code(), ErrorCode::PermissionDenied);
    }
}
