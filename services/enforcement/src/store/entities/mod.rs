//! sea-orm entities of the enforcement tables (schema in `super::migration`).

pub mod appeal;
pub mod audit_entry;
pub mod audit_node;
pub mod audit_state;
pub mod buyer_notification;
pub mod case;
pub mod case_event;
pub mod case_notice;
pub mod notice;
pub mod notifier;
pub mod outbound_notification;
pub mod report_counter;
pub mod statement;
