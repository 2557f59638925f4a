//! The genuine gRPC contracts: messages, clients and servers generated from `proto/`.
//!
//! Modules mirror the protobuf packages: `genuine.common.v1` is [`genuine::common::v1`], and a new
//! `.proto` file under `proto/genuine/` appears here without editing this file.
#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// Encoded `FileDescriptorSet` of every genuine package, for gRPC server reflection and for the
/// test that every RPC is in its service's access table.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/genuine_descriptor.bin"));

pub mod codec;

include!(concat!(env!("OUT_DIR"), "/packages.rs"));
