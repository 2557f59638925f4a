//! Typed callers of other services: seller-reputation for standing (synchronous, short
//! deadline) and enforcement for notices (through the outbox).

pub mod enforcement;
pub mod reputation;
mod standing_batch;
