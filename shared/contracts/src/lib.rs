//! The genuine gRPC contracts: messages, clients and servers generated from `proto/`.
//!
//! Modules mirror the protobuf packages (`genuine.common.v1` is [`common::v1`]).
#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// Encoded `FileDescriptorSet` of every genuine package, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/genuine_descriptor.bin"));

pub mod common {
    pub mod v1 {
        tonic::include_proto!("genuine.common.v1");
    }
}
