//! How a service says what to do with each kind of message, and how a failure is classified.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::Message;
use crate::clients::{innermost_cause, is_lost_connection};
use crate::errors::{ErrorCode, ServiceError};

/// Why a delivery did not succeed, and so what the dispatcher does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Transient (the peer is down, overloaded or timed out): try again after a backoff, up to
    /// the dispatcher's `max_attempts`, then park.
    Retry(String),
    /// Probably a bug at the receiver (INTERNAL, UNKNOWN): a few retries may land on a healthy
    /// replica, but not forever. Parked after `suspect_attempts`.
    RetryFew(String),
    /// Will never succeed as it is (bad request, unknown entity, refused): park at once, for an
    /// operator to look at and retry.
    Park(String),
}

impl Failure {
    /// The reason, as stored in `last_error`.
    #[must_use]
    pub fn reason(&self) -> &str {
        match self {
            Self::Retry(reason) | Self::RetryFew(reason) | Self::Park(reason) => reason,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// A status from the receiving service.
///
/// - Retry: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, CANCELLED, and
///   UNIMPLEMENTED (a peer not yet upgraded during a rolling deploy).
/// - RetryFew: INTERNAL, UNKNOWN, DATA_LOSS (a bug there; maybe one replica's).
/// - Park: INVALID_ARGUMENT, OUT_OF_RANGE, NOT_FOUND, FAILED_PRECONDITION, PERMISSION_DENIED,
///   UNAUTHENTICATED, and ALREADY_EXISTS: receivers in genuine answer a replay of the same key with
///   success, so ALREADY_EXISTS means the key was reused with other content — a conflict for a
///   person, not "done". A handler that knows better matches the code itself before converting.
///
/// A connection that broke under the call (UNKNOWN "transport error" when the receiver was
/// killed mid-call) is an outage, not a bug there: Retry, with the cause in the reason.
impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        use tonic::Code;
        if is_lost_connection(&status) {
            return Self::Retry(format!(
                "{:?}: {} ({})",
                status.code(),
                status.message(),
                innermost_cause(&status)
            ));
        }
        let reason = format!("{:?}: {}", status.code(), status.message());
        match status.code() {
            Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled
            | Code::Unimplemented => Self::Retry(reason),
            Code::InvalidArgument
            | Code::OutOfRange
            | Code::NotFound
            | Code::FailedPrecondition
            | Code::AlreadyExists
            | Code::PermissionDenied
            | Code::Unauthenticated => Self::Park(reason),
            Code::Ok | Code::Unknown | Code::Internal | Code::DataLoss => Self::RetryFew(reason),
        }
    }
}

/// A local error while handling (a deadline's own state change, say): the same classification
/// as its code's, INTERNAL retrying a few times.
impl From<ServiceError> for Failure {
    fn from(error: ServiceError) -> Self {
        let reason = error.to_string();
        match error.code() {
            code if code.is_retryable() => Self::Retry(reason),
            ErrorCode::Internal => Self::RetryFew(reason),
            _ => Self::Park(reason),
        }
    }
}

/// A database error inside a handler: a lost connection is retried, anything else is a bug.
impl From<sea_orm::DbErr> for Failure {
    fn from(error: sea_orm::DbErr) -> Self {
        let reason = error.to_string();
        if ServiceError::from(error).code().is_retryable() {
            Self::Retry(reason)
        } else {
            Self::RetryFew(reason)
        }
    }
}

/// Delivers one kind of message: usually one idempotent gRPC call carrying `message.key`, or for a
/// deadline the state change it triggers. Called at least once per message; must be idempotent.
pub trait Handler: Send + Sync {
    /// Handles `message`; `Ok` marks it delivered.
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>>;
}

/// A handler from an async closure taking the message by value.
pub struct FnHandler<F>(F);

impl<F> FnHandler<F> {
    /// Wraps `f`, an async closure taking the message by value.
    pub const fn new(f: F) -> Self {
        Self(f)
    }
}

impl<F, Fut> Handler for FnHandler<F>
where
    F: Fn(Message) -> Fut + Send + Sync,
    Fut: Future<Output = Result<(), Failure>> + Send + 'static,
{
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin((self.0)(message.clone()))
    }
}

/// Which handler delivers each kind. A kind without one is parked, never dropped.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, Arc<dyn Handler>>,
}

impl Handlers {
    /// No handlers yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the handler for `kind`.
    #[must_use]
    pub fn with(mut self, kind: impl Into<String>, handler: impl Handler + 'static) -> Self {
        self.insert(kind, Arc::new(handler));
        self
    }

    /// Adds (or replaces) the handler for `kind`: an async closure taking the message.
    #[must_use]
    pub fn with_fn<F, Fut>(self, kind: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Failure>> + Send + 'static,
    {
        self.with(kind, FnHandler(handler))
    }

    /// Adds (or replaces) the handler for `kind`.
    pub fn insert(&mut self, kind: impl Into<String>, handler: Arc<dyn Handler>) {
        self.by_kind.insert(kind.into(), handler);
    }

    /// The handler for `kind`.
    #[must_use]
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Handler>> {
        self.by_kind.get(kind)
    }

    /// The kinds handled, sorted (for logs at start-up).
    #[must_use]
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.by_kind.keys().map(String::as_str).collect();
        kinds.sort_unstable();
        kinds
    }
}

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers")
            .field("kinds", &self.kinds())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use tonic::{Code, Status};

    use super::*;

    #[test]
    fn statuses_are_classified() {
        let retry = [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::ResourceExhausted,
            Code::Aborted,
        ];
        for code in retry {
            assert!(
                matches!(Failure::from(Status::new(code, "x")), Failure::Retry(_)),
                "{code:?}"
            );
        }
        let park = [
            Code::InvalidArgument,
            Code::NotFound,
            Code::FailedPrecondition,
            Code::AlreadyExists,
        ];
        for code in park {
            assert!(
                matches!(Failure::from(Status::new(code, "x")), Failure::Park(_)),
                "{code:?}"
            );
        }
        assert!(matches!(
            Failure::from(Status::internal("x")),
            Failure::RetryFew(_)
        ));
        assert!(matches!(
            Failure::from(Status::permission_denied("x")),
            Failure::Park(_)
        ));
    }

    /// The fault test parked a message after a receiver was killed mid-call three times: its
    /// UNKNOWN "transport error" was taken for a bug at the receiver.
    #[test]
    fn a_connection_lost_under_the_call_is_retried_like_an_outage() {
        let broken = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe");
        let lost = Status::from_error(Box::new(broken));
        assert_eq!(lost.code(), Code::Unknown);
        let Failure::Retry(reason) = Failure::from(lost) else {
            panic!("a lost connection must be retried");
        };
        assert!(reason.contains("broken pipe"), "{reason}");
        // The receiver's own UNKNOWN answer still counts as a suspected bug.
        assert!(matches!(
            Failure::from(Status::unknown("x")),
            Failure::RetryFew(_)
        ));
    }

    #[test]
    fn service_errors_are_classified_by_code() {
        assert!(matches!(
            Failure::from(ServiceError::unavailable("down")),
            Failure::Retry(_)
        ));
        assert!(matches!(
            Failure::from(ServiceError::not_found("case", "1")),
            Failure::Park(_)
        ));
        assert!(matches!(
            Failure::from(ServiceError::internal("bug")),
            Failure::RetryFew(_)
        ));
    }
}
