//! gRPC tests over real TCP: the service started through `serve` on 127.0.0.1:0 with a fresh
//! database (SQLite, and PostgreSQL when GENUINE_TEST_POSTGRES_URL is set), fake listing and
//! reputation services recording what the outbox delivered, and tokens minted like the suite's.

mod audit;
mod cli;
mod fakes;
mod flow;
mod notices;
mod support;
mod tamper;
