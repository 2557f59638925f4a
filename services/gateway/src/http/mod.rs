//! HTTP concerns shared by every route: problem details, body and query limits, rate limits,
//! request timeout, trace context and the access audit.

pub mod admission;
pub mod audit;
pub mod body;
pub mod problem;
pub mod rate_limit;
pub mod timeout;
pub mod trace;
