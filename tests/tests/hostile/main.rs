//! Hostile input (issue 9): every RPC of the contract and every gateway route fed random and
//! mutated requests over real TCP, plus targeted attacks (oversized and lying frames, gzip,
//! non-ASCII tokens, image bombs, deep and huge JSON). Nothing may answer INTERNAL/UNKNOWN or
//! 500, nothing may panic, the services keep answering health, and every refusal of bad input
//! names the bad field (google.rpc.BadRequest / problem+json `errors`).
//!
//! Case counts: `GENUINE_HOSTILE_CASES` per RPC and kind of input (default 12), with a fixed
//! seed unless `GENUINE_HOSTILE_RANDOM=1`.

mod gateway_inputs;
mod grpc_inputs;
mod grpc_targeted;
mod http;
mod images;
mod messages;
mod panics;
mod setup;
mod verdict;
