//! Pure rules of the listing service: money, how a listing's status follows from its
//! measures, and how actions of the same case supersede each other.

pub mod actions;
pub mod measures;
pub mod money;
