//! gRPC tests over real TCP: the service started through `serve` on 127.0.0.1:0 with a fresh
//! database (SQLite, and PostgreSQL when GENUINE_TEST_POSTGRES_URL is set), called with tokens
//! minted like the suite's.

mod access;
mod cli;
mod effects;
mod fake_listing;
mod lifecycle;
mod records;
mod retention;
mod sellers;
mod support;
