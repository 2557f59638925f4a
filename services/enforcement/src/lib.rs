//! The enforcement service.
