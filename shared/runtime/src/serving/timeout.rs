//! Fourth layer: a per-call deadline answered with `DEADLINE_EXCEEDED`.

use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http::{HeaderMap, Request, Response};
use tonic::body::Body;
use tower::{Layer, Service};

/// Answers `DEADLINE_EXCEEDED` when the response headers are not ready within the smaller of the
/// server timeout and the client's `grpc-timeout`, and drops the unfinished handler.
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer {
    timeout: Duration,
}

impl TimeoutLayer {
    /// `timeout` is the server's upper bound for every call.
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = TimeoutService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TimeoutService {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service made by [`TimeoutLayer`].
#[derive(Debug, Clone)]
pub struct TimeoutService<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B> Service<Request<B>> for TimeoutService<S>
where
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // tonic's own `grpc-timeout` handling sits outside this stack and answers CANCELLED; we
        // fire a millisecond before the client's deadline so the caller sees DEADLINE_EXCEEDED.
        let timeout = match client_timeout(request.headers()) {
            Some(client) => self
                .timeout
                .min(client.saturating_sub(Duration::from_millis(1))),
            None => self.timeout,
        };
        let future = self.inner.call(request);
        Box::pin(async move {
            match tokio::time::timeout(timeout, future).await {
                Ok(result) => result,
                Err(_) => {
                    tracing::debug!(?timeout, "call timed out");
                    let status = tonic::Status::deadline_exceeded(format!(
                        "no response within {} ms",
                        timeout.as_millis()
                    ));
                    Ok(status.into_http())
                }
            }
        })
    }
}

/// Parses `grpc-timeout` (1–8 digits and a unit `H M S m u n`); anything else is ignored.
fn client_timeout(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.checked_mul(3600)?),
        "M" => Duration::from_secs(amount.checked_mul(60)?),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn parse(value: &'static str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-timeout", HeaderValue::from_static(value));
        client_timeout(&headers)
    }

    #[test]
    fn parses_grpc_timeout_units() {
        assert_eq!(parse("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse("10S"), Some(Duration::from_secs(10)));
        assert_eq!(parse("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse("7u"), Some(Duration::from_micros(7)));
        assert_eq!(parse("99999999n"), Some(Duration::from_nanos(99_999_999)));
        assert_eq!(parse("123456789S"), None);
        assert_eq!(parse("S"), None);
        assert_eq!(parse("10x"), None);
        assert_eq!(parse("-1S"), None);
        assert_eq!(client_timeout(&HeaderMap::new()), None);
    }
}
