//! The gateway over real HTTP against real services started in-process.

mod auth;
mod limits;
mod openapi;
mod sellers;
mod support;
mod upstream_down;
