//! Pure rules of seller reputation: no I/O, no clock of their own (every function takes `now`),
//! so the same record and the same `now` always give the same answer.
//!
//! - [`rules`]: the tunable numbers (half-life, weights, windows, thresholds) with defaults.
//! - [`standing`]: score, tier, strikes and suspension derived from a seller's record, and the
//!   effects a new violation or a retraction has.
//! - [`registration`]: validation of a trader's DSA Art. 30 traceability data.

pub mod codes;
pub mod contact;
pub mod countries;
pub mod registration;
pub mod rules;
pub mod standing;

#[cfg(test)]
mod standing_props;

pub use codes::{Code, Ground};
pub use registration::{Address, Registration};
pub use rules::{StandingRules, TierThresholds};
pub use standing::{
    InspectionFact, InspectionResult, Record, Severity, Standing, SuspensionFact, SuspensionOrigin,
    Tier, VerificationStatus, ViolationFact, standing,
};
