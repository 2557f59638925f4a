//! How a handler gets the caller the auth layer authenticated.

use super::principal::Principal;

/// The principal of a request that passed [`super::AuthLayer`]. `UNAUTHENTICATED` if there is
/// none (a public RPC called without a token, or a server built without the layer).
///
/// Handlers use it for finer checks the table cannot express: ownership, jurisdiction, scopes.
pub fn principal<T>(request: &tonic::Request<T>) -> Result<&Principal, tonic::Status> {
    request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| tonic::Status::unauthenticated("authentication required"))
}
