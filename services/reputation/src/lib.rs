//! The seller-reputation service: traders' traceability data, violations, inspections, standing
//! and suspensions (package `genuine.reputation.v1`).

pub mod domain;
pub mod store;
