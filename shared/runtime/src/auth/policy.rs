//! The per-RPC access table: which roles may call each method of a service.

use std::collections::BTreeMap;
use std::fmt;

use super::principal::Principal;
use super::role::Role;

/// Who may call one RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// No token needed (a token, if sent and valid, still yields a principal).
    Public,
    /// Any caller with a valid token.
    AnyAuthenticated,
    /// Callers holding at least one of these roles.
    Roles(&'static [Role]),
}

/// The standard health service: kubelet and load-balancer probes carry no token.
const HEALTH_SERVICE: &str = "grpc.health.v1.Health";
/// Server reflection (v1 and v1alpha): open to any authenticated caller, for grpcurl and debugging.
const REFLECTION_PREFIX: &str = "grpc.reflection.";

/// Rules for the methods of one service, filled by [`AccessPolicy::service`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRules {
    methods: BTreeMap<String, Allow>,
}

impl ServiceRules {
    /// Declares who may call `method` (the bare method name, e.g. `CreateListing`). Declaring
    /// the same method twice is a table bug: debug builds (tests) panic, release keeps the last.
    pub fn rpc(mut self, method: &str, allow: Allow) -> Self {
        let previous = self.methods.insert(method.to_owned(), allow);
        debug_assert!(previous.is_none(), "RPC `{method}` declared twice");
        self
    }

    pub(crate) fn methods(&self) -> impl Iterator<Item = (&str, Allow)> {
        self.methods
            .iter()
            .map(|(name, allow)| (name.as_str(), *allow))
    }
}

/// One table per service declaring, for every RPC, who may call it. Anything not declared is
/// denied, so a new RPC stays closed until someone decides who may call it.
///
/// ```
/// use genuine_runtime::auth::{AccessPolicy, Allow, Role};
///
/// let policy = AccessPolicy::new().service("genuine.listing.v1.ListingService", |s| {
///     s.rpc("CreateListing", Allow::Roles(&[Role::Seller, Role::Admin]))
///         .rpc("GetListing", Allow::AnyAuthenticated)
/// });
/// assert_eq!(
///     policy.rule("/genuine.listing.v1.ListingService/GetListing"),
///     Some(Allow::AnyAuthenticated)
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    services: BTreeMap<String, ServiceRules>,
}

/// Two policies declare the same RPC with different rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RPC `/{service}/{method}` is declared with different rules in merged policies")]
pub struct PolicyConflict {
    pub service: String,
    pub method: String,
}

/// Why a principal may not call a method (becomes `PERMISSION_DENIED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("method `{path}` is not declared in this server's access policy")]
    Undeclared { path: String },
    #[error("method `{path}` is open to roles {allowed} only")]
    Role { path: String, allowed: RoleList },
}

/// A list of roles printed as `reviewer, admin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleList(pub &'static [Role]);

impl fmt::Display for RoleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, role) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(role.as_str())?;
        }
        Ok(())
    }
}

impl From<Denied> for tonic::Status {
    fn from(denied: Denied) -> Self {
        tonic::Status::permission_denied(denied.to_string())
    }
}

/// Splits a gRPC path `/package.Service/Method` into service and method.
pub(crate) fn split_path(path: &str) -> Option<(&str, &str)> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    (!service.is_empty() && !method.is_empty() && !method.contains('/'))
        .then_some((service, method))
}

impl AccessPolicy {
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares the rules of one service, by its full name (`genuine.listing.v1.ListingService`).
    pub fn service(
        mut self,
        full_name: &str,
        rules: impl FnOnce(ServiceRules) -> ServiceRules,
    ) -> Self {
        let entry = self.services.remove(full_name).unwrap_or_default();
        self.services.insert(full_name.to_owned(), rules(entry));
        self
    }

    /// Combines two policies (a server hosting several services). The same RPC declared twice
    /// is fine only with the same rule.
    pub fn merge(mut self, other: AccessPolicy) -> Result<Self, PolicyConflict> {
        for (service, rules) in other.services {
            let mine = self.services.entry(service.clone()).or_default();
            for (method, allow) in rules.methods {
                match mine.methods.get(&method) {
                    Some(existing) if *existing != allow => {
                        return Err(PolicyConflict { service, method });
                    }
                    _ => {
                        mine.methods.insert(method, allow);
                    }
                }
            }
        }
        Ok(self)
    }

    /// Full names of the services this policy declares.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.services.keys().map(String::as_str)
    }

    pub(crate) fn rules_of(&self, service: &str) -> Option<&ServiceRules> {
        self.services.get(service)
    }

    /// The rule for a gRPC path, built-ins included; `None` means undeclared (denied).
    pub fn rule(&self, path: &str) -> Option<Allow> {
        let (service, method) = split_path(path)?;
        if service == HEALTH_SERVICE {
            return Some(Allow::Public);
        }
        if service.starts_with(REFLECTION_PREFIX) {
            return Some(Allow::AnyAuthenticated);
        }
        self.services.get(service)?.methods.get(method).copied()
    }

    /// Whether `principal` may call `path`.
    pub fn authorize(&self, path: &str, principal: &Principal) -> Result<(), Denied> {
        match self.rule(path) {
            None => Err(Denied::Undeclared {
                path: path.to_owned(),
            }),
            Some(Allow::Public | Allow::AnyAuthenticated) => Ok(()),
            Some(Allow::Roles(allowed)) if principal.has_any(allowed) => Ok(()),
            Some(Allow::Roles(allowed)) => Err(Denied::Role {
                path: path.to_owned(),
                allowed: RoleList(allowed),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ServiceName;

    const LISTING: &str = "genuine.listing.v1.ListingService";

    fn policy() -> AccessPolicy {
        AccessPolicy::new().service(LISTING, |s| {
            s.rpc("CreateListing", Allow::Roles(&[Role::Seller, Role::Admin]))
                .rpc("GetListing", Allow::AnyAuthenticated)
                .rpc("Ping", Allow::Public)
        })
    }

    #[test]
    fn roles_in_the_table_are_allowed_and_others_denied() {
        let policy = policy();
        let path = "/genuine.listing.v1.ListingService/CreateListing";
        assert_eq!(
            policy.authorize(path, &Principal::new("s", [Role::Seller])),
            Ok(())
        );
        assert_eq!(
            policy.authorize(path, &Principal::new("a", [Role::Admin])),
            Ok(())
        );
        let denied = policy
            .authorize(path, &Principal::new("c", [Role::Consumer]))
            .expect_err("consumer may not create listings");
        assert_eq!(
            denied.to_string(),
            "method `/genuine.listing.v1.ListingService/CreateListing` is open to roles seller, admin only"
        );
        assert_eq!(
            tonic::Status::from(denied).code(),
            tonic::Code::PermissionDenied
        );
        let get = "/genuine.listing.v1.ListingService/GetListing";
        assert_eq!(policy.authorize(get, &Principal::new("c", [])), Ok(()));
    }

    #[test]
    fn health_is_public_and_reflection_needs_a_token() {
        let policy = AccessPolicy::new();
        assert_eq!(
            policy.rule("/grpc.health.v1.Health/Check"),
            Some(Allow::Public)
        );
        assert_eq!(
            policy.rule("/grpc.health.v1.Health/Watch"),
            Some(Allow::Public)
        );
        assert_eq!(
            policy.rule("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
            Some(Allow::AnyAuthenticated)
        );
    }

    #[test]
    fn undeclared_methods_and_bad_paths_are_denied() {
        let policy = policy();
        let admin = Principal::new("root", [Role::Admin]);
        for path in [
            "/genuine.listing.v1.ListingService/DeleteEverything",
            "/genuine.other.v1.OtherService/GetListing",
            "/genuine.listing.v1.ListingService/",
            "genuine.listing.v1.ListingService/GetListing",
            "/",
            "",
        ] {
            assert_eq!(policy.rule(path), None, "{path}");
            assert!(
                matches!(
                    policy.authorize(path, &admin),
                    Err(Denied::Undeclared { .. })
                ),
                "{path}"
            );
        }
    }

    #[test]
    fn merge_combines_services_and_refuses_conflicts() {
        let other = AccessPolicy::new().service("genuine.reputation.v1.ReputationService", |s| {
            s.rpc(
                "GetStanding",
                Allow::Roles(&[Role::Service(ServiceName::Listing)]),
            )
        });
        let merged = policy().merge(other).expect("no conflict");
        assert_eq!(merged.services().count(), 2);
        assert_eq!(
            merged.rule("/genuine.reputation.v1.ReputationService/GetStanding"),
            Some(Allow::Roles(&[Role::Service(ServiceName::Listing)]))
        );
        assert!(policy().merge(policy()).is_ok(), "identical rules merge");
        let conflicting =
            AccessPolicy::new().service(LISTING, |s| s.rpc("GetListing", Allow::Public));
        let err = policy().merge(conflicting).expect_err("conflict");
        assert_eq!(err.method, "GetListing");
    }
}
