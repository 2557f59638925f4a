//! Persistence of the reputation service: sea-orm entities, migrations, and the operations the
//! API performs, each in one write transaction together with the outbox messages it causes.

mod conflict;
pub mod effects;
pub mod entities;
mod inspections;
mod migration;
mod migration_retention;
mod page;
mod records;
pub mod retention;

/// Stored violation states.
pub mod records_state {
    pub use super::records::{RETRACTED, UPHELD};
}
mod sellers;
mod suspensions;
mod violations;

#[cfg(test)]
mod tests;

use genuine_runtime::clock::SharedClock;
use genuine_runtime::outbox::{OutboxMigration, Wake};
use sea_orm::DatabaseConnection;
use sea_orm_migration::{MigrationTrait, MigratorTrait};

use crate::domain::StandingRules;

pub use inspections::NewInspection;
pub use migration::CreateTables;
pub use migration_retention::SellerRetention;
pub use page::{Page, PageRequest};
pub use sellers::{NewSeller, SellerFilter, SellerView};
pub use violations::NewViolation;

/// The reputation database's migrations: the shared outbox table, the service's tables, then the
/// sellers' retention columns.
#[derive(Debug, Clone, Copy)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(OutboxMigration),
            Box::new(CreateTables),
            Box::new(SellerRetention),
        ]
    }
}

/// Who made a change: recorded with it (the runtime's one definition).
pub use genuine_runtime::auth::Actor;

/// The database, the rules and the clock every operation needs.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    rules: StandingRules,
    clock: SharedClock,
    wake: Wake,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A store on `db`; `wake` is poked after a commit that enqueued messages.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        rules: StandingRules,
        clock: SharedClock,
        wake: Wake,
    ) -> Self {
        Self {
            db,
            rules,
            clock,
            wake,
        }
    }

    /// The database (for tests and the outbox).
    #[must_use]
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The standing rules.
    #[must_use]
    pub fn rules(&self) -> &StandingRules {
        &self.rules
    }

    /// The current time of the injected clock.
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
