//! The gateway over real HTTP against real services started in-process.

mod auth;
mod cases;
mod every_route;
mod limits;
mod openapi;
mod oversight;
mod portal;
mod schemathesis;
mod sellers;
mod standin;
mod support;
mod trace;
mod upstream_down;
