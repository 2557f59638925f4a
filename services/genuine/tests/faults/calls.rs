//! How a real platform client calls through outages: the same request (same idempotency key) again
//! and again, with backoff, while the service or its database is down or restarting.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::services::RECOVERY;

/// Retries made by every client, for the report.
pub static RETRIES: AtomicU64 = AtomicU64::new(0);

/// Longest a single attempt may take before the client gives up on it and tries again.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// Whether `status` means "not now" rather than "no": the process or its database is down, a
/// connection broke mid-call, the call was shed or ran out of time.
fn transient(status: &tonic::Status) -> bool {
    use tonic::Code;
    matches!(
        status.code(),
        Code::Unavailable
            | Code::Cancelled
            | Code::Unknown
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
    )
}

/// Calls `call` until it answers something other than a transient failure; backoff from 50 ms,
/// doubling up to 1 s. Panics naming `what` if the services do not recover within
/// [`RECOVERY`] plus an attempt.
pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, tonic::Status>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<tonic::Response<T>, tonic::Status>>,
{
    let deadline = Instant::now() + RECOVERY + ATTEMPT_TIMEOUT;
    let mut wait = Duration::from_millis(50);
    loop {
        let status = match tokio::time::timeout(ATTEMPT_TIMEOUT, call()).await {
            Ok(Ok(response)) => return Ok(response.into_inner()),
            Ok(Err(status)) if !transient(&status) => return Err(status),
            Ok(Err(status)) => status,
            Err(_) => tonic::Status::deadline_exceeded("no answer within the attempt timeout"),
        };
        assert!(
            Instant::now() < deadline,
            "{what}: still failing after {:?}: {status:?}",
            RECOVERY + ATTEMPT_TIMEOUT
        );
        RETRIES.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
    }
}

/// [`retrying`] for calls that must succeed.
pub async fn must<T, F, Fut>(what: &str, call: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<tonic::Response<T>, tonic::Status>>,
{
    retrying(what, call)
        .await
        .unwrap_or_else(|status| panic!("{what}: {status:?}"))
}
