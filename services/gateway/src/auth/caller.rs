//! The authorised regulator behind a request: authenticated, rate-limited, holding the route's
//! scope and a jurisdiction. Handlers name the scope in their signature (`Caller<needs::CasesRead>`),
//! so no route can forget its check.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use genuine_runtime::auth::{Principal, Role};
use tonic::metadata::AsciiMetadataValue;

use super::RequiredScope;
use crate::http::audit::AuditSlot;
use crate::http::problem::Problem;
use crate::state::AppState;

/// A regulator allowed on a route needing the scope `S`.
#[derive(Debug)]
pub struct Caller<S> {
    /// The verified principal.
    pub principal: Principal,
    /// Its jurisdiction, ISO 3166-1 alpha-2 upper case.
    pub jurisdiction: String,
    /// `Bearer <token>`, forwarded on gRPC calls so the services apply their own checks.
    pub authorization: AsciiMetadataValue,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequestParts<AppState> for Caller<S> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = bearer(parts)?;
        let principal = state
            .authenticator()
            .verify(token)
            .map_err(|e| Problem::unauthenticated(format!("invalid credentials: {e}")))?;
        if let Some(slot) = parts.extensions.get::<AuditSlot>() {
            slot.fill(&principal, S::SCOPE);
        }
        state
            .limiter()
            .check(&principal.subject, S::SCOPE)
            .map_err(|wait| {
                Problem::too_many_requests(
                    format!("rate limit for `{}` exceeded; retry later", S::SCOPE),
                    wait,
                )
            })?;
        if !principal.has_role(Role::Regulator) {
            return Err(Problem::forbidden(
                "the gateway serves regulators: the token holds no `regulator` role",
            ));
        }
        // The token is forwarded to the services, which would honour any other role in it
        // (staff see every jurisdiction): only pure regulator tokens pass.
        if principal.roles.len() > 1 {
            return Err(Problem::forbidden(
                "a regulator token must hold no other role (the gateway forwards it to the services)",
            ));
        }
        let jurisdiction = match principal.jurisdiction.as_deref().map(str::trim) {
            Some(j) if j.len() == 2 && j.chars().all(|c| c.is_ascii_alphabetic()) => {
                j.to_ascii_uppercase()
            }
            _ => {
                return Err(Problem::forbidden(
                    "the token names no jurisdiction (an ISO 3166-1 alpha-2 code)",
                ));
            }
        };
        if !principal.has_scope(S::SCOPE.as_str()) {
            return Err(Problem::insufficient_scope(S::SCOPE.as_str()));
        }
        let mut authorization: AsciiMetadataValue = format!("Bearer {token}")
            .parse()
            .map_err(|_| Problem::unauthenticated("the token is not printable ASCII"))?;
        authorization.set_sensitive(true);
        Ok(Self {
            principal,
            jurisdiction,
            authorization,
            scope: PhantomData,
        })
    }
}

impl<S> Caller<S> {
    /// The agency the regulator acts for (its subject when the token names none).
    #[must_use]
    pub fn agency(&self) -> &str {
        self.principal
            .agency
            .as_deref()
            .unwrap_or(&self.principal.subject)
    }

    /// Whether `code` (a seller's country, a case's jurisdiction) is the caller's.
    #[must_use]
    pub fn owns(&self, code: &str) -> bool {
        code.trim().eq_ignore_ascii_case(&self.jurisdiction)
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(parts: &Parts) -> Result<&str, Problem> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            Problem::unauthenticated(
                "authentication required: send `Authorization: Bearer <token>`",
            )
        })?
        .to_str()
        .map_err(|_| Problem::unauthenticated("the authorization header is not ASCII"))?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(|| {
        Problem::unauthenticated("the authorization header is not `Bearer <token>`")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Problem::unauthenticated(
            "the authorization header is not `Bearer <token>`",
        ));
    }
    Ok(token.trim())
}
