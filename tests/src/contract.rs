//! The gRPC contract as data, read from `genuine_contracts::FILE_DESCRIPTOR_SET`: every RPC of
//! every `genuine.*.v1` service and the shape of its request message, so that tests which must
//! cover every RPC pick up a new one without being edited.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::Message as _;
use prost_types::{DescriptorProto, FileDescriptorSet};

use crate::Service;

/// One RPC of the contract.
#[derive(Debug, Clone)]
pub struct Method {
    /// `/genuine.listing.v1.ListingService/CreateListing`.
    pub path: String,
    /// The suite service that serves it.
    pub service: Service,
    /// Fully-qualified request message name without the leading dot.
    pub input: String,
    /// Whether either side streams.
    pub streaming: bool,
}

impl Method {
    /// The RPC's name alone (`CreateListing`).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The contract's descriptor set, decoded once.
pub fn descriptor_set() -> &'static FileDescriptorSet {
    static SET: OnceLock<FileDescriptorSet> = OnceLock::new();
    SET.get_or_init(|| {
        FileDescriptorSet::decode(genuine_contracts::FILE_DESCRIPTOR_SET)
            .expect("the contract's descriptor set decodes")
    })
}

/// Every message of the contract (nested ones included) by fully-qualified name without the
/// leading dot.
pub fn messages() -> &'static HashMap<String, DescriptorProto> {
    static MESSAGES: OnceLock<HashMap<String, DescriptorProto>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        fn add(
            prefix: &str,
            message: &DescriptorProto,
            out: &mut HashMap<String, DescriptorProto>,
        ) {
            let name = format!("{prefix}.{}", message.name());
            for nested in &message.nested_type {
                add(&name, nested, out);
            }
            out.insert(name, message.clone());
        }
        let mut out = HashMap::new();
        for file in &descriptor_set().file {
            for message in &file.message_type {
                add(file.package(), message, &mut out);
            }
        }
        out
    })
}

/// The numbers of every value of every enum of the contract, by fully-qualified name.
pub fn enums() -> &'static HashMap<String, Vec<i32>> {
    static ENUMS: OnceLock<HashMap<String, Vec<i32>>> = OnceLock::new();
    ENUMS.get_or_init(|| {
        let mut out = HashMap::new();
        for file in &descriptor_set().file {
            let package = file.package();
            for e in &file.enum_type {
                let values = e.value.iter().map(|v| v.number()).collect();
                out.insert(format!("{package}.{}", e.name()), values);
            }
            for (name, message) in messages() {
                if !name.starts_with(package) {
                    continue;
                }
                for e in &message.enum_type {
                    let values = e.value.iter().map(|v| v.number()).collect();
                    out.insert(format!("{name}.{}", e.name()), values);
                }
            }
        }
        out
    })
}

/// Every RPC of every `genuine.*.v1` service, in contract order.
pub fn methods() -> Vec<Method> {
    let mut methods = Vec::new();
    for file in &descriptor_set().file {
        let package = file.package();
        if !(package.starts_with("genuine.") && package.ends_with(".v1")) {
            continue;
        }
        for service in &file.service {
            if !service.name().ends_with("Service") {
                continue;
            }
            for method in &service.method {
                let path = format!("/{package}.{}/{}", service.name(), method.name());
                methods.push(Method {
                    service: service_of(&path),
                    input: method.input_type().trim_start_matches('.').to_owned(),
                    streaming: method.client_streaming() || method.server_streaming(),
                    path,
                });
            }
        }
    }
    methods
}

/// The suite service serving `path`.
///
/// # Panics
/// When no service of the suite serves it (a new package needs a place in the suite).
pub fn service_of(path: &str) -> Service {
    Service::ALL
        .into_iter()
        .find(|s| path.starts_with(&format!("/genuine.{}.", package_of(*s))))
        .unwrap_or_else(|| panic!("{path}: no service of the suite serves it"))
}

fn package_of(service: Service) -> &'static str {
    match service {
        Service::Listing => "listing",
        Service::Reputation => "reputation",
        Service::Enforcement => "enforcement",
    }
}
