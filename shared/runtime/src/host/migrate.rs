//! The `migrate` sub-command of every service (run as a Kubernetes Job before a roll-out): the
//! same steps whatever the service, so they live here and each service names only its migrator.

use anyhow::Context;
use sea_orm_migration::MigratorTrait;

use crate::config::ServiceSettings;
use crate::storage;

/// Connects to the database in `settings`, applies the migrations of `M` and closes the pool.
///
/// Unlike [`super::Host::start`] it needs no auth secret: the Job only touches the schema.
///
/// # Errors
/// An unreachable database or a failed migration, each naming the service.
pub async fn migrate<M: MigratorTrait>(settings: &ServiceSettings) -> anyhow::Result<()> {
    let db = storage::connect(&settings.database)
        .await
        .with_context(|| format!("{}: cannot open its database", settings.name))?;
    let migrated = storage::migrate::<M>(&db)
        .await
        .with_context(|| format!("{}: migrations failed", settings.name));
    // Closed whether or not the migrations went through, so the Job ends without open handles.
    db.close().await.ok();
    migrated
}
