//! Typed callers of other services: seller-reputation for standing (synchronous, short
//! deadline) and for sellers' jurisdictions (regulators' reads), and enforcement for notices
//! (through the outbox).

pub mod enforcement;
pub mod jurisdiction;
pub mod reputation;
mod standing_batch;
