//! The listing service.
