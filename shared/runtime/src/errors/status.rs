//! Conversion between [`ServiceError`] and [`tonic::Status`] with `google.rpc` error details.

use tonic_types::{ErrorDetails, StatusExt};

use super::{ErrorCode, FieldViolation, PreconditionViolation, ServiceError};

/// The `ErrorInfo.domain` of every genuine error.
pub const ERROR_DOMAIN: &str = "genuine";

/// Longest field path or description sent, in bytes: texts often quote the bad input, and the
/// status travels in HTTP/2 headers, whose total a client caps (16 KiB by default). Beyond it
/// the caller would get a protocol error instead of the verdict.
const MAX_TEXT_BYTES: usize = 200;
/// Longest message sent, in bytes (percent-encoding may triple it on the wire).
const MAX_MESSAGE_BYTES: usize = 512;
/// Most violations (or metadata entries) of each kind sent; the rest are counted in one last
/// violation.
const MAX_VIOLATIONS: usize = 16;

/// `text` cut to at most `max` bytes on a character boundary, marked with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn bounded(text: &str) -> String {
    cut(text, MAX_TEXT_BYTES)
}

impl From<ServiceError> for tonic::Status {
    fn from(error: ServiceError) -> Self {
        let mut details = ErrorDetails::new();
        let violations = error.field_violations();
        for violation in violations.iter().take(MAX_VIOLATIONS) {
            details.add_bad_request_violation(
                bounded(&violation.field),
                bounded(&violation.description),
            );
        }
        if let Some(more) = violations
            .len()
            .checked_sub(MAX_VIOLATIONS)
            .filter(|n| *n > 0)
        {
            let last = &violations[MAX_VIOLATIONS];
            details.add_bad_request_violation(
                bounded(&last.field),
                format!("and {more} more violations not listed"),
            );
        }
        let preconditions = error.preconditions();
        for p in preconditions.iter().take(MAX_VIOLATIONS) {
            details.add_precondition_failure_violation(
                bounded(&p.kind),
                bounded(&p.subject),
                bounded(&p.description),
            );
        }
        if let Some((reason, metadata)) = error.reason() {
            let metadata: std::collections::HashMap<String, String> = metadata
                .iter()
                .take(MAX_VIOLATIONS / 2)
                .map(|(k, v)| (bounded(k), bounded(v)))
                .collect();
            details.set_error_info(bounded(reason), ERROR_DOMAIN, metadata);
        }
        if let Some(delay) = error.retry_after() {
            details.set_retry_info(Some(delay));
        }
        tonic::Status::with_error_details(
            error.code().grpc(),
            cut(error.message(), MAX_MESSAGE_BYTES),
            details,
        )
    }
}

impl ServiceError {
    /// Reads a status received from another service back into an error, keeping its details:
    /// the gateway maps them to problem details, and services pass a peer's verdict on.
    ///
    /// A connection lost under the call (tonic's own UNKNOWN "transport error", say when the
    /// peer was killed mid-call) is UNAVAILABLE, not the peer's bug: retry later.
    #[must_use]
    pub fn from_status(status: &tonic::Status) -> Self {
        if crate::clients::is_lost_connection(status) {
            return Self::unavailable("the connection to the peer was lost; try again later");
        }
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
    fn a_connection_lost_under_the_call_is_unavailable_and_a_peers_unknown_is_internal() {
        let broken = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe");
        let lost = ServiceError::from_status(&tonic::Status::from_error(Box::new(broken)));
        assert_eq!(lost.code(), ErrorCode::Unavailable, "{lost}");
        let answered = ServiceError::from_status(&tonic::Status::unknown("peer's own"));
        assert_eq!(answered.code(), ErrorCode::Internal, "{answered}");
    }

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
    fn texts_quoting_huge_input_are_bounded_to_fit_in_headers() {
        let huge = "🦀".repeat(50_000);
        let mut v = Violations::new();
        for i in 0..400 {
            v.add(
                format!("items[{i}].name"),
                format!("{huge:?} is not allowed"),
            );
        }
        let status: tonic::Status = v.finish().expect_err("bad").into();
        assert!(status.message().len() <= MAX_MESSAGE_BYTES);
        let back = ServiceError::from_status(&status);
        let fields = back.field_violations();
        assert_eq!(fields.len(), MAX_VIOLATIONS + 1);
        assert_eq!(fields[0].field, "items[0].name");
        assert!(fields.iter().all(|f| f.description.len() <= MAX_TEXT_BYTES));
        assert!(fields[MAX_VIOLATIONS].description.contains("384 more"));
        // Everything the client must read fits well inside its 16 KiB header limit.
        let response: http::Response<tonic::body::Body> = status.into_http();
        let size: usize = response
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        assert!(size < 12 * 1024, "{size} bytes of headers");
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
