//! What "healthy" means for a service: a check the server polls to report SERVING or NOT_SERVING.

use std::fmt;
use std::future::Future;

use futures::future::BoxFuture;

/// A readiness check, e.g. "the database answers a ping". Polled every
/// `ServingConfig::health_poll_interval`; a check slower than that counts as failed.
pub trait HealthProbe: Send + Sync {
    /// `true` when the service can do useful work.
    fn check(&self) -> BoxFuture<'_, bool>;
}

/// A probe that always passes, for services without dependencies and for tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysServing;

impl HealthProbe for AlwaysServing {
    fn check(&self) -> BoxFuture<'_, bool> {
        Box::pin(std::future::ready(true))
    }
}

/// A probe from an async closure; build it with [`probe_fn`].
#[derive(Clone)]
pub struct FnProbe<F>(F);

impl<F> fmt::Debug for FnProbe<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnProbe")
    }
}

/// Wraps `check`, e.g. `probe_fn(move || { let db = db.clone(); async move { db.ping().await.is_ok() } })`.
pub fn probe_fn<F, Fut>(check: F) -> FnProbe<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = bool> + Send + 'static,
{
    FnProbe(check)
}

impl<F, Fut> HealthProbe for FnProbe<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = bool> + Send + 'static,
{
    fn check(&self) -> BoxFuture<'_, bool> {
        Box::pin((self.0)())
    }
}
