//! The error a service operation returns.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use super::{ErrorCode, FieldViolation};

/// A state transition that is not allowed now: `kind` is the precondition type (e.g.
/// "CASE_STATE"), `subject` what it is about (e.g. the case id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreconditionViolation {
    /// The kind of precondition, upper snake case.
    pub kind: String,
    /// The resource the precondition is about.
    pub subject: String,
    /// What is wrong, for a person: name the current state.
    pub description: String,
}

/// An error with a code, a message safe to show the caller, and `google.rpc` details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    code: ErrorCode,
    message: String,
    field_violations: Vec<FieldViolation>,
    preconditions: Vec<PreconditionViolation>,
    reason: Option<(String, HashMap<String, String>)>,
    retry_after: Option<Duration>,
}

impl ServiceError {
    /// An error with `code` and a message for the caller.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field_violations: Vec::new(),
            preconditions: Vec::new(),
            reason: None,
            retry_after: None,
        }
    }

    /// `INVALID_ARGUMENT` naming every bad field.
    #[must_use]
    pub fn invalid_argument(violations: Vec<FieldViolation>) -> Self {
        let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
        let message = format!("invalid request: {}", fields.join(", "));
        Self {
            field_violations: violations,
            ..Self::new(ErrorCode::InvalidArgument, message)
        }
    }

    /// `INVALID_ARGUMENT` for one field.
    #[must_use]
    pub fn invalid_field(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::invalid_argument(vec![FieldViolation {
            field: field.into(),
            description: description.into(),
        }])
    }

    /// `FAILED_PRECONDITION`: `subject` is not in a state that allows this.
    #[must_use]
    pub fn failed_precondition(
        kind: impl Into<String>,
        subject: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        let description = description.into();
        Self {
            preconditions: vec![PreconditionViolation {
                kind: kind.into(),
                subject: subject.into(),
                description: description.clone(),
            }],
            ..Self::new(ErrorCode::FailedPrecondition, description)
        }
    }

    /// `NOT_FOUND` for a resource of `kind` with `id`.
    #[must_use]
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{kind} {id:?} not found"))
    }

    /// `ALREADY_EXISTS`.
    #[must_use]
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AlreadyExists, message)
    }

    /// `PERMISSION_DENIED`.
    #[must_use]
    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PermissionDenied, message)
    }

    /// `UNAUTHENTICATED`.
    #[must_use]
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// `UNAVAILABLE`: a dependency is down.
    #[must_use]
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// `RESOURCE_EXHAUSTED` with a hint when to retry.
    #[must_use]
    pub fn resource_exhausted(message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            retry_after,
            ..Self::new(ErrorCode::ResourceExhausted, message)
        }
    }

    /// `INTERNAL`: logs `error` with an error id and returns only the id to the caller, so no
    /// internal text (SQL, paths, peer addresses) leaks.
    #[must_use]
    pub fn internal(error: impl fmt::Display) -> Self {
        let error_id = uuid::Uuid::new_v4();
        tracing::error!(%error_id, error = %error, "internal error");
        Self::new(
            ErrorCode::Internal,
            format!("internal error (error id {error_id})"),
        )
    }

    /// Adds an `ErrorInfo` reason (machine-readable, upper snake case) with metadata.
    #[must_use]
    pub fn with_reason(
        mut self,
        reason: impl Into<String>,
        metadata: HashMap<String, String>,
    ) -> Self {
        self.reason = Some((reason.into(), metadata));
        self
    }

    /// Replaces the message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message shown to the caller.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Bad fields, for `INVALID_ARGUMENT`.
    #[must_use]
    pub fn field_violations(&self) -> &[FieldViolation] {
        &self.field_violations
    }

    /// Failed preconditions, for `FAILED_PRECONDITION`.
    #[must_use]
    pub fn preconditions(&self) -> &[PreconditionViolation] {
        &self.preconditions
    }

    /// The `ErrorInfo` reason and metadata, if any.
    #[must_use]
    pub fn reason(&self) -> Option<(&str, &HashMap<String, String>)> {
        self.reason.as_ref().map(|(r, m)| (r.as_str(), m))
    }

    /// When the caller may retry, if said.
    #[must_use]
    pub const fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    pub(super) fn from_parts(
        code: ErrorCode,
        message: String,
        field_violations: Vec<FieldViolation>,
        preconditions: Vec<PreconditionViolation>,
        reason: Option<(String, HashMap<String, String>)>,
        retry_after: Option<Duration>,
    ) -> Self {
        Self {
            code,
            message,
            field_violations,
            preconditions,
            reason,
            retry_after,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for ServiceError {}
