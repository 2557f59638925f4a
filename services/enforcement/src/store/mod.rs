//! Persistence of the enforcement service: sea-orm entities, migrations, and the operations the
//! API performs. Every state change runs in one write transaction together with its audit entry,
//! its report counters and the outbox messages and deadlines it causes.

mod appeals;
pub mod audit;
mod buyers;
mod cases;
pub mod effects;
pub mod entities;
mod migration;
mod migration_nodes;
mod notices;
mod page;
pub mod report;
mod statements;
mod transitions;
mod views;
mod write;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::outbox::OutboxMigration;
use sea_orm::DatabaseConnection;
use sea_orm_migration::{MigrationTrait, MigratorTrait};

use crate::domain::audit::AuditSigner;
use crate::domain::priority::TrackRecordPolicy;

pub use appeals::AppealFiling;
pub use buyers::Trader;
pub use cases::CaseFilter;
pub use migration::CreateTables;
pub use migration_nodes::AuditNodes;
pub use notices::{NewNotice, NoticeFilter, Submitted};
pub use page::{Page, PageRequest};
pub use report::ReportCounts;
pub use views::{AppealView, CaseView, NoticeView};

/// The enforcement database's migrations: the shared outbox table, then the service's tables.
#[derive(Debug, Clone, Copy)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(OutboxMigration),
            Box::new(CreateTables),
            Box::new(AuditNodes),
        ]
    }
}

/// Who made a change: recorded with it (the runtime's one definition).
pub use genuine_runtime::auth::Actor;

/// The workflow's rules that come from configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// How long the rights holder has to prove legal action after a counter-notice.
    pub counter_notice_window: chrono::Duration,
    /// How the window's length is counted (elapsed days or business days).
    pub counter_notice_calendar: crate::domain::window::WindowCalendar,
    /// How long after a decision it may be appealed.
    pub appeal_window: chrono::Duration,
    /// Whether regulator and good-faith rights-holder notices take the listing down on receipt.
    pub takedown_on_receipt: bool,
    /// Good-faith and misuse thresholds.
    pub track_record: TrackRecordPolicy,
    /// The look-back period of the track record (3 months).
    pub track_record_period: chrono::Duration,
    /// How long a misusing notifier's processing is suspended.
    pub notifier_suspension: chrono::Duration,
    /// How far back buyers are informed (6 months).
    pub buyer_lookback: chrono::Duration,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            counter_notice_window: chrono::Duration::days(15),
            counter_notice_calendar: crate::domain::window::WindowCalendar::Elapsed,
            appeal_window: chrono::Duration::days(180),
            takedown_on_receipt: true,
            track_record: TrackRecordPolicy::default(),
            track_record_period: chrono::Duration::days(90),
            notifier_suspension: chrono::Duration::days(30),
            buyer_lookback: chrono::Duration::days(180),
        }
    }
}

/// The enforcement store: database, clock, audit key and rules.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    clock: SharedClock,
    signer: Arc<AuditSigner>,
    rules: Arc<Rules>,
}

impl Store {
    /// A store over `db`.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        signer: AuditSigner,
        rules: Rules,
    ) -> Self {
        Self {
            db,
            clock,
            signer: Arc::new(signer),
            rules: Arc::new(rules),
        }
    }

    /// The database.
    #[must_use]
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The rules.
    #[must_use]
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The audit signer.
    #[must_use]
    pub fn signer(&self) -> &AuditSigner {
        &self.signer
    }

    /// The current time of the injected clock.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// A new opaque id: time-ordered UUID v7, simple form.
fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// JSON text of a list of strings.
fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// A list of strings from JSON text; malformed text reads as empty.
#[must_use]
pub fn parse_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}
