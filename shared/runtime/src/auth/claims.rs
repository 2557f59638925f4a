//! The JWT payload genuine issues and accepts.

use serde::{Deserialize, Serialize};

use super::principal::Principal;
use super::role::Role;

/// Registered and private claims of a genuine token.
///
/// Every field has a serde default so that a token missing `sub`, `iss` or `aud` fails the
/// library's required-claim check with a precise error instead of a generic JSON one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Space-separated scopes, as in OAuth 2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub aud: Audience,
    #[serde(default)]
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
}

/// `aud` may be one string or an array (RFC 7519 §4.1.3); tokens from an external issuer often
/// use the array form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Default for Audience {
    fn default() -> Self {
        Audience::Many(Vec::new())
    }
}

impl Claims {
    /// The principal these (already verified) claims describe. Role strings genuine does not
    /// know are skipped — a token may carry roles meant for other systems.
    pub fn into_principal(self) -> Principal {
        let mut principal = Principal::new(self.sub, []);
        for name in &self.roles {
            match name.parse::<Role>() {
                Ok(role) => principal.push_role(role),
                Err(_) => tracing::debug!(role = %name, "ignoring unknown role in token"),
            }
        }
        principal.agency = self.agency;
        principal.jurisdiction = self.jurisdiction;
        principal.scopes = self
            .scope
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        principal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_become_a_principal_skipping_unknown_roles() {
        let claims: Claims = serde_json::from_value(serde_json::json!({
            "sub": "reg-7",
            "roles": ["regulator", "wizard", "regulator"],
            "agency": "AGCOM",
            "jurisdiction": "IT",
            "scope": "traders:read  cases:read",
            "iss": "genuine",
            "aud": ["genuine", "other"],
            "exp": 10,
            "iat": 1
        }))
        .expect("claims parse");
        let p = claims.into_principal();
        assert_eq!(p.subject, "reg-7");
        assert_eq!(p.roles, vec![Role::Regulator]);
        assert_eq!(p.agency.as_deref(), Some("AGCOM"));
        assert_eq!(p.jurisdiction.as_deref(), Some("IT"));
        assert_eq!(p.scopes, vec!["traders:read", "cases:read"]);
    }
}
