//! Conversion between [`ServiceError`] and [`tonic::Status`] with `google.rpc` error details.

use tonic_types::{ErrorDetails, StatusExt};

use super::{ErrorCode, FieldViolation, PreconditionViolation, ServiceError};

/// The `ErrorInfo.domain` of every genuine error.
pub const ERROR_DOMAIN: &str = "genuine";

impl From<ServiceError> for tonic::Status {
    fn from(error: ServiceError) -> Self {
        let mut details = ErrorDetails::new();
        for violation in error.field_violations() {
            details.add_bad_request_violation(&violation.field, &violation.description);
        }
        for p in error.preconditions() {
            details.add_precondition_failure_violation(&p.kind, &p.subject, &p.description);
        }
        if let Some((reason, metadata)) = error.reason() {
            details.set_error_info(reason, ERROR_DOMAIN, metadata.clone());
        }
        if let Some(delay) = error.retry_after() {
            details.set_retry_info(Some(delay));
        }
        tonic::Status::with_error_details(error.code().grpc(), error.message(), details)
    }
}

impl ServiceError {
    /// Reads a status received from another service back into an error, keeping its details:
    /// the gateway maps them to problem details, and services pass a peer's verdict on.
    #[must_use]
    pub fn from_status(status: &tonic::Status) -> Self {
        let details = status.get_error_details();
        let field_violations = details
            .bad_request()
            .map(|br| {
                br.field_violations
                    .iter()
                    .map(|v| FieldViolation {
                        field: v.field.clone(),
                        description: v.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let preconditions = details
            .precondition_failure()
            .map(|pf| {
                pf.violations
                    .iter()
                    .map(|v| PreconditionViolation {
                        kind: v.r#type.clone(),
                        subject: v.subject.clone(),
                        description: v.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let reason = details
            .error_info()
            .map(|info| (info.reason.clone(), info.metadata.clone()));
        let retry_after = details.retry_info().and_then(|r| r.retry_delay);
        Self::from_parts(
            ErrorCode::from_grpc(status.code()),
            status.message().to_owned(),
            field_violations,
            preconditions,
            reason,
            retry_after,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::errors::Violations;

    #[test]
    fn bad_request_details_survive_the_round_trip() {
        let mut v = Violations::new();
        v.require("", "title");
        v.add("price.units", "must not be negative");
        let status: tonic::Status = v.finish().expect_err("bad").into();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let back = ServiceError::from_status(&status);
        assert_eq!(back.code(), ErrorCode::InvalidArgument);
        let fields: Vec<_> = back
            .field_violations()
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(fields, ["title", "price.units"]);
    }

    #[test]
    fn precondition_reason_and_retry_survive_the_round_trip() {
        let err = ServiceError::failed_precondition("CASE_STATE", "case-1", "case is REJECTED")
            .with_reason(
                "CASE_CLOSED",
                HashMap::from([("state".into(), "REJECTED".into())]),
            );
        let back = ServiceError::from_status(&err.clone().into());
        assert_eq!(back, err);

        let shed = ServiceError::resource_exhausted("busy", Some(Duration::from_secs(2)));
        let back = ServiceError::from_status(&shed.clone().into());
        assert_eq!(back.retry_after(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn internal_errors_do_not_leak_their_text() {
        let err = ServiceError::internal("relation \"cases\" does not exist at 10.0.0.7:5432");
        let status: tonic::Status = err.into();
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(!status.message().contains("cases"));
        assert!(!status.message().contains("10.0.0.7"));
        assert!(status.message().contains("error id"));
    }
}
