//! HTTP/JSON shapes of the gateway, one file per resource, each mapping from the gRPC messages
//! by hand: proto field names in lowerCamelCase, enums as their contract value names,
//! timestamps in RFC 3339, durations and bytes as proto3 JSON spells them, 64-bit counts as
//! JSON numbers.

pub mod audit_log;
pub mod cases;
pub mod common;
pub mod enums;
pub mod listings;
pub mod notices;
pub mod reports;
pub mod sellers;
pub mod statements;
