//! Roles a principal can hold, with the string forms used in tokens.

use std::fmt;
use std::str::FromStr;

/// The services of the suite, as they appear in `service:<name>` roles and as the subject of
/// service tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceName {
    Listing,
    Reputation,
    Enforcement,
    Gateway,
}

impl ServiceName {
    /// All services, for tables and CLIs.
    pub const ALL: [ServiceName; 4] = [
        ServiceName::Listing,
        ServiceName::Reputation,
        ServiceName::Enforcement,
        ServiceName::Gateway,
    ];

    /// The short name (`listing`), also the subject of the service's own token.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceName::Listing => "listing",
            ServiceName::Reputation => "reputation",
            ServiceName::Enforcement => "enforcement",
            ServiceName::Gateway => "gateway",
        }
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServiceName {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceName::ALL
            .into_iter()
            .find(|name| name.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A role named in a token's `roles` claim. Each RPC's access rule lists the roles that may call
/// it (see [`super::AccessPolicy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Reviewer,
    RightsHolder,
    Seller,
    Consumer,
    TrustedFlagger,
    Regulator,
    /// Another service of the suite calling with its service token.
    Service(ServiceName),
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Reviewer,
        Role::RightsHolder,
        Role::Seller,
        Role::Consumer,
        Role::TrustedFlagger,
        Role::Regulator,
        Role::Service(ServiceName::Listing),
        Role::Service(ServiceName::Reputation),
        Role::Service(ServiceName::Enforcement),
        Role::Service(ServiceName::Gateway),
    ];

    /// The string form used in tokens and audit records (`rights_holder`, `service:listing`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::RightsHolder => "rights_holder",
            Role::Seller => "seller",
            Role::Consumer => "consumer",
            Role::TrustedFlagger => "trusted_flagger",
            Role::Regulator => "regulator",
            Role::Service(ServiceName::Listing) => "service:listing",
            Role::Service(ServiceName::Reputation) => "service:reputation",
            Role::Service(ServiceName::Enforcement) => "service:enforcement",
            Role::Service(ServiceName::Gateway) => "service:gateway",
        }
    }

    /// Whether this is a `service:*` role.
    pub const fn is_service(self) -> bool {
        matches!(self, Role::Service(_))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A role or service name that genuine does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_string_form() {
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
        }
        assert_eq!(
            "service:gateway".parse::<Role>(),
            Ok(Role::Service(ServiceName::Gateway))
        );
        assert_eq!("rights_holder".parse::<Role>(), Ok(Role::RightsHolder));
    }

    #[test]
    fn unknown_role_strings_are_errors() {
        assert!("superuser".parse::<Role>().is_err());
        assert!("service:billing".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }
}
