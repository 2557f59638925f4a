//! The authenticated caller, handed to handlers by the auth layer.

use super::role::Role;

/// Who is calling: built from a verified token and stored in the request extensions by
/// [`super::AuthLayer`]. Handlers read it with [`super::principal`] and record it on every
/// state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub`: a user id, or the service name for service tokens.
    pub subject: String,
    /// Known roles from the token, in token order, without duplicates.
    pub roles: Vec<Role>,
    /// For regulators: the agency they act for.
    pub agency: Option<String>,
    /// For regulators: the jurisdiction whose traders and cases they may see.
    pub jurisdiction: Option<String>,
    /// OAuth-style scopes (gateway routes each need one).
    pub scopes: Vec<String>,
}

/// Audit label for a principal that holds no role genuine knows.
const NO_ROLE: &str = "none";

impl Principal {
    /// A principal with the given subject and roles and no optional claims.
    pub fn new(subject: impl Into<String>, roles: impl IntoIterator<Item = Role>) -> Self {
        let mut principal = Principal {
            subject: subject.into(),
            roles: Vec::new(),
            agency: None,
            jurisdiction: None,
            scopes: Vec::new(),
        };
        for role in roles {
            principal.push_role(role);
        }
        principal
    }

    /// Adds a role unless already held (keeps token order).
    pub(crate) fn push_role(&mut self, role: Role) {
        if !self.roles.contains(&role) {
            self.roles.push(role);
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has_role(*role))
    }

    /// Whether the caller is one of the suite's services (holds a `service:*` role).
    pub fn is_service(&self) -> bool {
        self.roles.iter().any(|role| role.is_service())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|held| held == scope)
    }

    /// The role to record in audit trails: the first role the token lists, or `"none"`.
    /// Prefer [`Principal::acting_role_among`] when the RPC allows several roles.
    pub fn acting_role(&self) -> &'static str {
        self.roles.first().map_or(NO_ROLE, |role| role.as_str())
    }

    /// The first of the caller's roles that is in `allowed`: the capacity in which it acts on an
    /// RPC open to several roles (a reviewer who is also a seller reviews as `reviewer`).
    pub fn acting_role_among(&self, allowed: &[Role]) -> Option<Role> {
        self.roles
            .iter()
            .copied()
            .find(|role| allowed.contains(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ServiceName;

    #[test]
    fn role_helpers_answer_from_the_roles_held() {
        let mut p = Principal::new("u-1", [Role::Seller, Role::Reviewer, Role::Seller]);
        p.scopes = vec!["cases:read".into()];
        assert_eq!(p.roles, vec![Role::Seller, Role::Reviewer]);
        assert!(p.has_role(Role::Reviewer));
        assert!(!p.has_role(Role::Admin));
        assert!(p.has_any(&[Role::Admin, Role::Seller]));
        assert!(!p.has_any(&[]));
        assert!(!p.is_service());
        assert!(p.has_scope("cases:read"));
        assert!(!p.has_scope("cases"));
        assert_eq!(p.acting_role(), "seller");
        assert_eq!(
            p.acting_role_among(&[Role::Admin, Role::Reviewer]),
            Some(Role::Reviewer)
        );
    }

    #[test]
    fn service_principals_are_recognised() {
        let p = Principal::new("listing", [Role::Service(ServiceName::Listing)]);
        assert!(p.is_service());
        assert_eq!(p.acting_role(), "service:listing");
        assert_eq!(Principal::new("x", []).acting_role(), "none");
    }
}
