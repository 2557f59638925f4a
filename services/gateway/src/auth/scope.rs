//! The scopes a regulator token carries, one per kind of route.

use std::fmt;

/// A gateway scope (OAuth 2.0 `scope` claim, space-separated in the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    CasesRead,
    NoticesWrite,
    NoticesRead,
    TradersRead,
    InspectionsWrite,
    StatementsRead,
    ReportsRead,
    AuditRead,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 8] = [
        Scope::CasesRead,
        Scope::NoticesWrite,
        Scope::NoticesRead,
        Scope::TradersRead,
        Scope::InspectionsWrite,
        Scope::StatementsRead,
        Scope::ReportsRead,
        Scope::AuditRead,
    ];

    /// The string in tokens, e.g. `cases:read`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::CasesRead => "cases:read",
            Scope::NoticesWrite => "notices:write",
            Scope::NoticesRead => "notices:read",
            Scope::TradersRead => "traders:read",
            Scope::InspectionsWrite => "inspections:write",
            Scope::StatementsRead => "statements:read",
            Scope::ReportsRead => "reports:read",
            Scope::AuditRead => "audit:read",
        }
    }

    /// The suffix of its rate-limit variable, e.g. `CASES_READ`.
    #[must_use]
    pub fn config_key(self) -> String {
        self.as_str().replace(':', "_").to_ascii_uppercase()
    }

    /// Whether routes with this scope change state (audited as writes).
    #[must_use]
    pub const fn is_write(self) -> bool {
        matches!(self, Scope::NoticesWrite | Scope::InspectionsWrite)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route's scope as a type, so a handler's signature says what it needs.
pub trait RequiredScope: Send + Sync + 'static {
    /// The scope.
    const SCOPE: Scope;
}

macro_rules! scope_markers {
    ($($marker:ident),* $(,)?) => {
        /// Marker types naming each scope in handler signatures.
        pub mod needs {
            $(
                #[doc = concat!("Needs the [`", stringify!($marker), "`](super::Scope::", stringify!($marker), ") scope.")]
                #[derive(Debug)]
                pub struct $marker;
                impl super::RequiredScope for $marker {
                    const SCOPE: super::Scope = super::Scope::$marker;
                }
            )*
        }
    };
}

scope_markers!(
    CasesRead,
    NoticesWrite,
    NoticesRead,
    TradersRead,
    InspectionsWrite,
    StatementsRead,
    ReportsRead,
    AuditRead,
);
