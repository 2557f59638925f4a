//! Who made a change: every service records it with each state change (and in the audit log).

use super::{Principal, Role, ServiceName};

/// The acting principal as stored with a change: its subject and the role it acted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The principal's subject.
    pub subject: String,
    /// The role it acted in, e.g. `reviewer`, `service:listing`.
    pub role: String,
}

impl Actor {
    /// An actor from its subject and role.
    #[must_use]
    pub fn new(subject: impl Into<String>, role: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            role: role.into(),
        }
    }

    /// A service acting on its own (deadlines firing, automated steps).
    #[must_use]
    pub fn service(service: ServiceName) -> Self {
        Self::new(service.as_str(), Role::Service(service).as_str())
    }
}

impl From<&Principal> for Actor {
    fn from(principal: &Principal) -> Self {
        Self::new(principal.subject.clone(), principal.acting_role())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_and_principals_become_actors() {
        assert_eq!(
            Actor::service(ServiceName::Enforcement),
            Actor::new("enforcement", "service:enforcement")
        );
        let reviewer = Principal::new("rev-1", [Role::Reviewer]);
        assert_eq!(Actor::from(&reviewer), Actor::new("rev-1", "reviewer"));
    }
}
