//! The reputation service.
