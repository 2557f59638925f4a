//! Schema of the enforcement database, in SQL both SQLite and PostgreSQL accept. Times are
//! BIGINT milliseconds since the epoch (as in the runtime's queue tables); hashes and signatures
//! are hex text; lists are JSON text.

use sea_orm_migration::prelude::*;

/// The service's own tables (the runtime's outbox table comes first, see [`super::Migrator`]).
#[derive(Debug, Clone, Copy)]
pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m0001_enforcement_create_tables"
    }
}

const TABLES: &[&str] = &[
    "CREATE TABLE notices (
        notice_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        submitted_by_subject TEXT NOT NULL,
        submitted_by_role TEXT NOT NULL,
        request_digest TEXT NOT NULL,
        source TEXT NOT NULL,
        ground TEXT NOT NULL,
        notifier_id TEXT NOT NULL,
        notifier_name TEXT NOT NULL,
        notifier_email TEXT NOT NULL,
        notifier_organization TEXT NOT NULL,
        listing_ids TEXT NOT NULL,
        brand_id TEXT NULL,
        explanation TEXT NOT NULL,
        evidence_urls TEXT NOT NULL,
        good_faith_declaration BOOLEAN NOT NULL,
        jurisdiction TEXT NOT NULL,
        automated_detection TEXT NULL,
        case_ids TEXT NOT NULL,
        status TEXT NOT NULL,
        received_at BIGINT NOT NULL
    )",
    "CREATE UNIQUE INDEX notices_request ON notices (submitted_by_subject, request_id)",
    "CREATE INDEX notices_notifier ON notices (notifier_id, received_at)",
    "CREATE INDEX notices_received ON notices (received_at)",
    "CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        listing_id TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        ground TEXT NOT NULL,
        source TEXT NOT NULL,
        jurisdiction TEXT NOT NULL,
        listing_down BOOLEAN NOT NULL,
        violation_recorded BOOLEAN NOT NULL,
        takedowns INTEGER NOT NULL,
        restores INTEGER NOT NULL,
        decision_outcome TEXT NULL,
        decision_explanation TEXT NULL,
        decision_severity TEXT NULL,
        decided_by_subject TEXT NULL,
        decided_by_role TEXT NULL,
        decision_automated BOOLEAN NOT NULL,
        decided_at BIGINT NULL,
        counter_declaration TEXT NULL,
        counter_evidence_urls TEXT NULL,
        counter_by_subject TEXT NULL,
        counter_by_role TEXT NULL,
        counter_at BIGINT NULL,
        counter_forwarded_at BIGINT NULL,
        window_end_at BIGINT NULL,
        legal_authority TEXT NULL,
        legal_reference TEXT NULL,
        legal_by_subject TEXT NULL,
        legal_by_role TEXT NULL,
        legal_at BIGINT NULL,
        first_notice_at BIGINT NOT NULL,
        first_action_at BIGINT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    )",
    "CREATE INDEX cases_listing ON cases (listing_id, status)",
    // At most one live case per listing (the statuses that accept notices), even under races.
    "CREATE UNIQUE INDEX cases_one_live ON cases (listing_id) \
     WHERE status IN ('OPEN', 'ACTION_TAKEN', 'COUNTER_NOTICE_PENDING', 'MEASURES_MAINTAINED')",
    "CREATE INDEX cases_queue ON cases (status, priority, created_at, case_id)",
    "CREATE INDEX cases_order ON cases (priority, created_at, case_id)",
    "CREATE INDEX cases_seller ON cases (seller_id, created_at)",
    "CREATE TABLE case_notices (
        case_id TEXT NOT NULL,
        notice_id TEXT NOT NULL,
        notifier_id TEXT NOT NULL,
        joined_at BIGINT NOT NULL,
        PRIMARY KEY (case_id, notice_id)
    )",
    "CREATE INDEX case_notices_notifier ON case_notices (notifier_id, joined_at)",
    "CREATE TABLE case_events (
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actor_subject TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        at BIGINT NOT NULL,
        detail TEXT NOT NULL,
        from_status TEXT NULL,
        to_status TEXT NOT NULL,
        PRIMARY KEY (case_id, seq)
    )",
    "CREATE TABLE appeals (
        appeal_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        appellant_party TEXT NOT NULL,
        appellant_subject TEXT NOT NULL,
        appellant_role TEXT NOT NULL,
        grounds TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT NULL,
        explanation TEXT NULL,
        decided_by_subject TEXT NULL,
        decided_by_role TEXT NULL,
        filed_at BIGINT NOT NULL,
        decided_at BIGINT NULL
    )",
    "CREATE UNIQUE INDEX appeals_request ON appeals (appellant_subject, request_id)",
    "CREATE INDEX appeals_case ON appeals (case_id, filed_at)",
    "CREATE TABLE statements (
        statement_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        body TEXT NOT NULL,
        supersedes TEXT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX statements_created ON statements (created_at, statement_id)",
    "CREATE INDEX statements_case ON statements (case_id)",
    "CREATE TABLE buyer_notifications (
        buyer_notification_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL UNIQUE,
        listing_id TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        trader TEXT NOT NULL,
        ground TEXT NOT NULL,
        illegality TEXT NOT NULL,
        means_of_redress TEXT NOT NULL,
        purchases_since BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX buyer_notifications_created ON buyer_notifications (created_at, buyer_notification_id)",
    "CREATE TABLE outbound_notifications (
        notification_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX outbound_notifications_recipient ON outbound_notifications (recipient, created_at)",
    "CREATE TABLE notifiers (
        notifier_id TEXT PRIMARY KEY,
        warned_at BIGINT NULL,
        suspended_until BIGINT NULL
    )",
    "CREATE TABLE audit_log (
        idx BIGINT PRIMARY KEY,
        at BIGINT NOT NULL,
        actor_subject TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        payload_digest TEXT NOT NULL,
        leaf_hash TEXT NOT NULL,
        root TEXT NOT NULL,
        signature TEXT NOT NULL
    )",
    "CREATE TABLE audit_state (
        id INTEGER PRIMARY KEY,
        tree_size BIGINT NOT NULL,
        frontier TEXT NOT NULL
    )",
    "INSERT INTO audit_state (id, tree_size, frontier) VALUES (1, 0, '0000000000000000')",
    "CREATE TABLE report_counters (
        day TEXT NOT NULL,
        jurisdiction TEXT NOT NULL,
        metric TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (jurisdiction, day, metric)
    )",
];

/// The statements that create the schema (for tests that check it against the domain).
#[cfg(test)]
#[must_use]
pub fn schema() -> &'static [&'static str] {
    TABLES
}

const DROPS: &[&str] = &[
    "report_counters",
    "audit_state",
    "audit_log",
    "notifiers",
    "outbound_notifications",
    "buyer_notifications",
    "statements",
    "appeals",
    "case_events",
    "case_notices",
    "cases",
    "notices",
];

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in TABLES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in DROPS {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
