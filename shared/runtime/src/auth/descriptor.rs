//! Checks an access policy against the services' descriptors, so that a test fails when an RPC
//! is added to a `.proto` but not to the table (it would be denied to everyone at run time).

use prost::Message as _;
use prost_types::FileDescriptorSet;

use super::policy::AccessPolicy;

impl AccessPolicy {
    /// Paths (`/package.Service/Method`) of methods of every service this policy declares that
    /// the table does not declare. Services the policy does not mention are not checked.
    ///
    /// Meant for a unit test in each service:
    /// `assert_eq!(policy().undeclared_methods(FILE_DESCRIPTOR_SET), Vec::<String>::new())`.
    /// Bytes that do not decode yield one entry saying so, so that such a test fails too.
    pub fn undeclared_methods(&self, file_descriptor_set: &[u8]) -> Vec<String> {
        let set = match FileDescriptorSet::decode(file_descriptor_set) {
            Ok(set) => set,
            Err(err) => return vec![format!("<file descriptor set does not decode: {err}>")],
        };
        let mut missing = Vec::new();
        for (service, methods) in described_services(&set) {
            let Some(rules) = self.rules_of(&service) else {
                continue;
            };
            for method in methods {
                if !rules.methods().any(|(declared, _)| declared == method) {
                    missing.push(format!("/{service}/{method}"));
                }
            }
        }
        missing
    }

    /// Paths the table declares that no service in the descriptor set has (typos, removed RPCs).
    pub fn unknown_methods(&self, file_descriptor_set: &[u8]) -> Vec<String> {
        let set = match FileDescriptorSet::decode(file_descriptor_set) {
            Ok(set) => set,
            Err(err) => return vec![format!("<file descriptor set does not decode: {err}>")],
        };
        let described = described_services(&set);
        let mut unknown = Vec::new();
        for service in self.services() {
            let methods = described
                .iter()
                .find(|(name, _)| name == service)
                .map(|(_, methods)| methods.as_slice())
                .unwrap_or_default();
            if let Some(rules) = self.rules_of(service) {
                for (method, _) in rules.methods() {
                    if !methods.contains(&method) {
                        unknown.push(format!("/{service}/{method}"));
                    }
                }
            }
        }
        unknown
    }
}

/// `(package.Service, [method names])` for every service in the set.
fn described_services(set: &FileDescriptorSet) -> Vec<(String, Vec<&str>)> {
    set.file
        .iter()
        .flat_map(|file| {
            let package = file.package();
            file.service.iter().map(move |service| {
                let full_name = if package.is_empty() {
                    service.name().to_owned()
                } else {
                    format!("{package}.{}", service.name())
                };
                let methods = service.method.iter().map(|m| m.name()).collect();
                (full_name, methods)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use prost_types::{
        FileDescriptorProto, FileDescriptorSet, MethodDescriptorProto, ServiceDescriptorProto,
    };

    use crate::auth::{AccessPolicy, Allow, Role};

    fn service(name: &str, methods: &[&str]) -> ServiceDescriptorProto {
        ServiceDescriptorProto {
            name: Some(name.to_owned()),
            method: methods
                .iter()
                .map(|m| MethodDescriptorProto {
                    name: Some((*m).to_owned()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn descriptor_set() -> Vec<u8> {
        FileDescriptorSet {
            file: vec![
                FileDescriptorProto {
                    name: Some("genuine/listing/v1/listing_service.proto".into()),
                    package: Some("genuine.listing.v1".into()),
                    service: vec![service(
                        "ListingService",
                        &["CreateListing", "GetListing", "ListListings"],
                    )],
                    ..Default::default()
                },
                FileDescriptorProto {
                    name: Some("genuine/other/v1/other.proto".into()),
                    package: Some("genuine.other.v1".into()),
                    service: vec![service("OtherService", &["Anything"])],
                    ..Default::default()
                },
            ],
        }
        .encode_to_vec()
    }

    fn policy() -> AccessPolicy {
        AccessPolicy::new().service("genuine.listing.v1.ListingService", |s| {
            s.rpc("CreateListing", Allow::Roles(&[Role::Seller]))
                .rpc("GetListing", Allow::AnyAuthenticated)
                .rpc("GetListnig", Allow::AnyAuthenticated)
        })
    }

    #[test]
    fn undeclared_methods_lists_rpcs_missing_from_the_table() {
        assert_eq!(
            policy().undeclared_methods(&descriptor_set()),
            vec!["/genuine.listing.v1.ListingService/ListListings".to_owned()]
        );
    }

    #[test]
    fn unknown_methods_lists_declarations_without_an_rpc() {
        assert_eq!(
            policy().unknown_methods(&descriptor_set()),
            vec!["/genuine.listing.v1.ListingService/GetListnig".to_owned()]
        );
    }

    #[test]
    fn garbage_descriptor_bytes_are_reported_not_ignored() {
        assert_eq!(policy().undeclared_methods(b"\xff\xff\xff").len(), 1);
    }
}
