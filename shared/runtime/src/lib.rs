//! The runtime every genuine service stands on: one implementation of each mechanism, so that no
//! service invents its own.
//!
//! | module | what it gives a service |
//! |---|---|
//! | [`config`] | typed settings: defaults → optional file → environment, secrets that do not print |
//! | [`errors`] | one error type mapped to gRPC codes (with `google.rpc` details) and HTTP statuses |
//! | [`auth`] | JWT verification and minting, principals and roles, the per-RPC access table and its layer |
//! | [`serving`] | the tonic server: health, reflection, the tower stack, graceful shutdown |
//! | [`clients`] | channels to other services: deadline, service token, trace context, retries |
//! | [`storage`] | database connection by URL (SQLite or PostgreSQL), migrations, test databases |
//! | [`outbox`] | messages written in the caller's transaction and delivered later; durable deadlines |
//! | [`clock`] | an injectable clock so tests move time |
//! | [`host`] | one service's start-up and serving: database, migrations, auth, server, outbox |
//! | [`testing`] | a service started in-process for gRPC tests; gates for tests needing tools beyond Rust |
//! | [`telemetry`] | tracing subscriber, OpenTelemetry export, W3C propagation, RED metrics |

pub mod auth;
pub mod clients;
pub mod clock;
pub mod config;
pub mod errors;
pub mod host;
pub mod outbox;
pub mod serving;
pub mod storage;
pub mod telemetry;
pub mod testing;
