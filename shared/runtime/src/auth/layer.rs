//! The tower layer that authenticates every request and enforces the access table before any
//! handler runs.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::{BoxFuture, Either};
use http::HeaderMap;
use tower::{Layer, Service};

use super::error::AuthError;
use super::policy::{AccessPolicy, Allow};
use super::principal::Principal;
use super::verifier::TokenVerifier;
use crate::serving::drain::drain;

/// Verifies the bearer token, checks the policy for the request path, and stores the
/// [`Principal`] in the request extensions (tonic hands them to `Request::extensions()`).
/// Refusals are answered here with `UNAUTHENTICATED` or `PERMISSION_DENIED`.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    verifier: TokenVerifier,
    policy: AccessPolicy,
}

impl AuthLayer {
    pub fn new(verifier: TokenVerifier, policy: AccessPolicy) -> Self {
        AuthLayer {
            shared: Arc::new(Shared { verifier, policy }),
        }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service [`AuthLayer`] wraps around a server's routes.
#[derive(Debug, Clone)]
pub struct AuthService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, B, ResBody> Service<http::Request<B>> for AuthService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    B: http_body::Body + Unpin + Send + 'static,
    ResBody: Default + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = Either<BoxFuture<'static, Result<Self::Response, Self::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        match self.shared.admit(request.uri().path(), request.headers()) {
            Ok(principal) => {
                if let Some(principal) = principal {
                    request.extensions_mut().insert(principal);
                }
                Either::Right(self.inner.call(request))
            }
            Err(status) => {
                // Read first: answering an unread request costs the connection (see `drain`).
                let body = request.into_body();
                Either::Left(Box::pin(async move {
                    drain(body).await;
                    Ok(status.into_http())
                }))
            }
        }
    }
}

impl Shared {
    /// The principal to hand on (none for an anonymous call to a public RPC), or the refusal.
    fn admit(&self, path: &str, headers: &HeaderMap) -> Result<Option<Principal>, tonic::Status> {
        let token = bearer_token(headers);
        if self.policy.rule(path) == Some(Allow::Public) {
            // A bad token must not lock probes out; a good one still names the caller.
            return Ok(token
                .ok()
                .flatten()
                .and_then(|t| self.verifier.verify(t).ok()));
        }
        let principal = token
            .and_then(|t| t.ok_or(AuthError::Missing))
            .and_then(|t| self.verifier.verify(t))
            .map_err(|err| {
                tracing::debug!(rpc = path, reason = %err, "unauthenticated call refused");
                tonic::Status::from(err)
            })?;
        self.policy.authorize(path, &principal).map_err(|denied| {
            tracing::info!(rpc = path, subject = %principal.subject, reason = %denied, "call denied");
            tonic::Status::from(denied)
        })?;
        Ok(Some(principal))
    }
}

/// The token of an `authorization: Bearer <jwt>` header; `None` when there is no header.
fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, AuthError> {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AuthError::Malformed("authorization header is not ASCII"))?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Malformed(
        "authorization header is not `Bearer <token>`",
    ))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed("authorization scheme is not Bearer"));
    }
    Ok(Some(token.trim()))
}
