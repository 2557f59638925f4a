//! The authorization matrix (issue 9), table-driven:
//! - `rpcs`: every gRPC method of the contract as every role and with every bad token, against
//!   each service's access table;
//! - `routes`: every route of the gateway's OpenAPI document with bad tokens, refused
//!   principals and the portal tokens it accepts, and across jurisdictions;
//! - `jurisdiction`: every RPC open to regulators, by a DE regulator on DE and FR data.
//!
//! A method or route missing from its table fails its test.

mod bad_tokens;
mod jurisdiction;
mod routes;
mod rpcs;
mod world;
