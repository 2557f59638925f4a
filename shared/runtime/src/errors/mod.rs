//! One error type for every service, mapped to gRPC codes with `google.rpc` details and to HTTP
//! statuses (the gateway turns them into RFC 9457 problem details).
//!
//! Handlers return [`ServiceResult`]; `?` converts it into a [`tonic::Status`]. Internal errors are
//! logged with their context and an error id; the caller sees only the id.

mod code;
mod db;
mod service_error;
mod status;
mod violations;

pub use code::ErrorCode;
pub use service_error::{PreconditionViolation, ServiceError};
pub use violations::{FieldViolation, Violations};

/// The result of a service operation.
pub type ServiceResult<T> = Result<T, ServiceError>;
