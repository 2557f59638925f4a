//! The contract's gRPC methods and the access table of the service serving each.

use genuine_runtime::auth::AccessPolicy;
use genuine_suite_tests::Service;
use prost::Message as _;

/// One gRPC method from the contract.
#[derive(Debug, Clone)]
pub struct Method {
    pub path: String,
    pub streaming: bool,
}

/// Every method of the contract's `genuine.*.v1` services.
pub fn contract_methods() -> Vec<Method> {
    let set = prost_types::FileDescriptorSet::decode(genuine_contracts::FILE_DESCRIPTOR_SET)
        .expect("descriptor set decodes");
    let mut methods = Vec::new();
    for file in &set.file {
        let package = file.package();
        if !(package.starts_with("genuine.") && package.ends_with(".v1")) {
            continue;
        }
        for service in &file.service {
            if !service.name().ends_with("Service") {
                continue;
            }
            for method in &service.method {
                methods.push(Method {
                    path: format!("/{package}.{}/{}", service.name(), method.name()),
                    streaming: method.client_streaming() || method.server_streaming(),
                });
            }
        }
    }
    methods
}

/// The suite service serving `path`.
pub fn service_of(path: &str) -> Service {
    if path.starts_with("/genuine.listing.") {
        Service::Listing
    } else if path.starts_with("/genuine.reputation.") {
        Service::Reputation
    } else if path.starts_with("/genuine.enforcement.") {
        Service::Enforcement
    } else {
        panic!("{path}: no service of the suite serves it")
    }
}

/// The access table of `service`.
pub fn policy_of(service: Service) -> AccessPolicy {
    match service {
        Service::Listing => genuine_listing::api::access_policy(),
        Service::Reputation => genuine_reputation::api::access_policy(),
        Service::Enforcement => genuine_enforcement::api::access_policy(),
    }
}
