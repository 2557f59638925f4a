//! Pure rules of the listing service: money, and how a listing's status follows from its
//! measures.

pub mod measures;
pub mod money;
