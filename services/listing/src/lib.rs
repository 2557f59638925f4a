//! The listing service: listings, protected brands and the screening that keeps counterfeits
//! from being published.

pub mod domain;
pub mod screening;
pub mod store;
