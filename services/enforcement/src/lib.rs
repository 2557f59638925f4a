//! The enforcement service: notices, cases, decisions, counter-notices, appeals, statements of
//! reasons, the tamper-evident audit log and transparency statistics.

pub mod domain;
pub mod store;
