//! Retrying idempotent calls when the peer is unavailable.

use std::future::Future;
use std::time::Duration;

use tonic::Code;

use super::is_lost_connection;

/// How often and how patiently to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff cap for the first retry; doubles each retry.
    pub initial_backoff: Duration,
    /// Upper bound on any single backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// Full jitter (AWS architecture blog): uniform in `[0, min(max, initial · 2^retry)]`, so
    /// callers that failed together do not retry together.
    fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let cap_micros = u64::try_from(cap.as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(rand::random_range(0..=cap_micros))
    }
}

/// Runs `call` and retries it when the peer was not reached or the connection was lost under it
/// (`UNAVAILABLE`, or a transport-made UNKNOWN/INTERNAL: [`is_lost_connection`]), with
/// exponential backoff and full jitter, up to `policy.max_attempts` attempts in all.
///
/// **Only for idempotent calls** (reads, or writes carrying an idempotency key): such a call
/// may have been executed by the peer. Every other code is returned at once; in particular
/// `DEADLINE_EXCEEDED` is not retried, since the caller's time is spent, nor a peer's own
/// UNKNOWN or INTERNAL answer.
pub async fn retry_idempotent<T, F, Fut>(
    policy: &RetryPolicy,
    mut call: F,
) -> Result<T, tonic::Status>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, tonic::Status>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(status)
                if (status.code() == Code::Unavailable || is_lost_connection(&status))
                    && attempt < policy.max_attempts =>
            {
                let backoff = policy.backoff(attempt - 1);
                tracing::debug!(
                    attempt,
                    ?backoff,
                    message = status.message(),
                    "retrying unavailable peer"
                );
                tokio::time::sleep(backoff).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn fast(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        }
    }

    async fn run(policy: &RetryPolicy, outcomes: &[Result<u8, Code>]) -> (Result<u8, Code>, u32) {
        let calls = AtomicU32::new(0);
        let result = retry_idempotent(policy, || {
            let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
            let outcome = outcomes[n.min(outcomes.len() - 1)];
            async move { outcome.map_err(|code| tonic::Status::new(code, "test")) }
        })
        .await;
        (result.map_err(|s| s.code()), calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn unavailable_is_retried_up_to_the_bound() {
        let (result, calls) = run(&fast(3), &[Err(Code::Unavailable)]).await;
        assert_eq!((result, calls), (Err(Code::Unavailable), 3));
        let (result, calls) = run(&fast(1), &[Err(Code::Unavailable)]).await;
        assert_eq!((result, calls), (Err(Code::Unavailable), 1));
    }

    #[tokio::test]
    async fn a_retry_that_succeeds_returns_the_value() {
        let outcomes = [Err(Code::Unavailable), Err(Code::Unavailable), Ok(7)];
        assert_eq!(run(&fast(3), &outcomes).await, (Ok(7), 3));
    }

    #[tokio::test]
    async fn other_codes_stop_at_once() {
        for code in [
            Code::DeadlineExceeded,
            Code::InvalidArgument,
            Code::PermissionDenied,
            Code::Internal,
            Code::ResourceExhausted,
        ] {
            assert_eq!(
                run(&fast(5), &[Err(code)]).await,
                (Err(code), 1),
                "{code:?}"
            );
        }
        assert_eq!(run(&fast(5), &[Ok(1)]).await, (Ok(1), 1));
    }

    #[tokio::test]
    async fn a_connection_lost_under_the_call_is_retried() {
        let calls = AtomicU32::new(0);
        let result = retry_idempotent(&fast(3), || {
            let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    let broken = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "gone");
                    Err(tonic::Status::from_error(Box::new(broken)))
                } else {
                    Ok(7)
                }
            }
        })
        .await;
        assert_eq!(
            (result.map_err(|s| s.code()), calls.into_inner()),
            (Ok(7), 2)
        );
    }

    #[test]
    fn backoff_stays_within_the_growing_cap() {
        let policy = RetryPolicy::default();
        for retry in 0..10 {
            let cap = (policy.initial_backoff * 2u32.pow(retry)).min(policy.max_backoff);
            assert!(policy.backoff(retry) <= cap);
        }
    }
}
