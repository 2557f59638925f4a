//! What the process-level tests of the `genuine` binary share: starting a service as a real child
//! process and talking gRPC to it. Each test binary includes this with `#[path]` and uses part
//! of it.
#![allow(dead_code)]

pub mod grpc;
pub mod process;
