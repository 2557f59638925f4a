//! The error codes genuine uses, each with its gRPC code and HTTP status.

/// What went wrong, in the vocabulary shared by gRPC and HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Bad input; details name every field.
    InvalidArgument,
    /// The request is valid but the resource is not in a state that allows it.
    FailedPrecondition,
    /// The resource does not exist (or must not be seen to exist).
    NotFound,
    /// The resource exists already (a reused idempotency key with other content, say).
    AlreadyExists,
    /// No, or an invalid, credential.
    Unauthenticated,
    /// A valid credential that may not do this.
    PermissionDenied,
    /// Shedding load or over a rate limit.
    ResourceExhausted,
    /// A dependency (database, another service) is down; retrying later may work.
    Unavailable,
    /// The deadline passed before the work finished.
    DeadlineExceeded,
    /// A concurrency conflict; retrying the whole operation may work.
    Aborted,
    /// A bug. User input never causes it.
    Internal,
}

impl ErrorCode {
    /// The gRPC status code.
    #[must_use]
    pub const fn grpc(self) -> tonic::Code {
        match self {
            Self::InvalidArgument => tonic::Code::InvalidArgument,
            Self::FailedPrecondition => tonic::Code::FailedPrecondition,
            Self::NotFound => tonic::Code::NotFound,
            Self::AlreadyExists => tonic::Code::AlreadyExists,
            Self::Unauthenticated => tonic::Code::Unauthenticated,
            Self::PermissionDenied => tonic::Code::PermissionDenied,
            Self::ResourceExhausted => tonic::Code::ResourceExhausted,
            Self::Unavailable => tonic::Code::Unavailable,
            Self::DeadlineExceeded => tonic::Code::DeadlineExceeded,
            Self::Aborted => tonic::Code::Aborted,
            Self::Internal => tonic::Code::Internal,
        }
    }

    /// The HTTP status the gateway answers with.
    #[must_use]
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidArgument => 400,
            Self::Unauthenticated => 401,
            Self::PermissionDenied => 403,
            Self::NotFound => 404,
            Self::AlreadyExists | Self::FailedPrecondition | Self::Aborted => 409,
            Self::ResourceExhausted => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::DeadlineExceeded => 504,
        }
    }

    /// The code for a gRPC status received from another service. Codes genuine does not send
    /// (CANCELLED, UNKNOWN, DATA_LOSS, …) count as internal, except OUT_OF_RANGE (bad input) and
    /// UNIMPLEMENTED (a peer too old: unavailable).
    #[must_use]
    pub const fn from_grpc(code: tonic::Code) -> Self {
        match code {
            tonic::Code::InvalidArgument | tonic::Code::OutOfRange => Self::InvalidArgument,
            tonic::Code::FailedPrecondition => Self::FailedPrecondition,
            tonic::Code::NotFound => Self::NotFound,
            tonic::Code::AlreadyExists => Self::AlreadyExists,
            tonic::Code::Unauthenticated => Self::Unauthenticated,
            tonic::Code::PermissionDenied => Self::PermissionDenied,
            tonic::Code::ResourceExhausted => Self::ResourceExhausted,
            tonic::Code::Unavailable | tonic::Code::Unimplemented => Self::Unavailable,
            tonic::Code::DeadlineExceeded | tonic::Code::Cancelled => Self::DeadlineExceeded,
            tonic::Code::Aborted => Self::Aborted,
            _ => Self::Internal,
        }
    }

    /// Upper-snake name, as in gRPC ("INVALID_ARGUMENT"): used in problem details and logs.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::FailedPrecondition => "FAILED_PRECONDITION",
            Self::NotFound => "NOT_FOUND",
            Self::AlreadyExists => "ALREADY_EXISTS",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Self::Unavailable => "UNAVAILABLE",
            Self::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Self::Aborted => "ABORTED",
            Self::Internal => "INTERNAL",
        }
    }

    /// Whether a caller may retry the same request later and hope for success.
    #[must_use]
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Unavailable | Self::DeadlineExceeded | Self::ResourceExhausted | Self::Aborted
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 11] = [
        ErrorCode::InvalidArgument,
        ErrorCode::FailedPrecondition,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::Unauthenticated,
        ErrorCode::PermissionDenied,
        ErrorCode::ResourceExhausted,
        ErrorCode::Unavailable,
        ErrorCode::DeadlineExceeded,
        ErrorCode::Aborted,
        ErrorCode::Internal,
    ];

    #[test]
    fn grpc_round_trip_is_identity() {
        for code in ALL {
            assert_eq!(ErrorCode::from_grpc(code.grpc()), code, "{}", code.name());
        }
    }

    #[test]
    fn http_statuses_are_client_or_server_errors_as_expected() {
        for code in ALL {
            let status = code.http_status();
            let server_side = matches!(
                code,
                ErrorCode::Internal | ErrorCode::Unavailable | ErrorCode::DeadlineExceeded
            );
            assert_eq!(status >= 500, server_side, "{}", code.name());
            assert!((400..600).contains(&status));
        }
    }

    #[test]
    fn only_transient_codes_are_retryable() {
        assert!(ErrorCode::Unavailable.is_retryable());
        assert!(!ErrorCode::InvalidArgument.is_retryable());
        assert!(!ErrorCode::FailedPrecondition.is_retryable());
        assert!(!ErrorCode::Internal.is_retryable());
    }
}
