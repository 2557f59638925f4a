//! RFC 9457 problem details: every error the gateway answers with, whether it found the problem
//! itself or a service did (a gRPC status and its `google.rpc` details).

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use genuine_runtime::errors::{ErrorCode, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// How long a caller should wait when an upstream is down and no better hint exists.
const UNAVAILABLE_RETRY: Duration = Duration::from_secs(5);

/// A problem details document (RFC 9457) with genuine's extension members.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Always `about:blank`: `title` is the HTTP status phrase and `code` says more.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The gRPC-style code, e.g. `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    pub code: String,
    /// Every bad field, for 400.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Every failed precondition, for 409.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preconditions: Vec<PreconditionError>,
    /// The W3C trace id of the request, to find it in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(skip)]
    retry_after: Option<Duration>,
    #[serde(skip)]
    www_authenticate: Option<String>,
}

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field: a query parameter, a JSON member (`notifier.email`) or a path segment.
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
}

/// One failed precondition (a state transition not allowed now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PreconditionError {
    /// Kind of precondition, e.g. `CASE_STATE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about (e.g. the case id).
    pub subject: String,
    /// What is wrong.
    pub detail: String,
}

impl Problem {
    /// A problem with `code`'s HTTP status and `detail`.
    #[must_use]
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::with_status(status, code.name(), detail)
    }

    /// A problem with an explicit HTTP status (413, 415, 404 for unknown routes …).
    #[must_use]
    pub fn with_status(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            preconditions: Vec::new(),
            trace_id: crate::http::trace::current_trace_id(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    /// 400 naming every bad field.
    #[must_use]
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let mut problem = Self::new(
            ErrorCode::InvalidArgument,
            format!("invalid request: {}", fields.join(", ")),
        );
        problem.errors = errors;
        problem
    }

    /// 400 for one field.
    #[must_use]
    pub fn invalid_field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.into(),
            detail: detail.into(),
        }])
    }

    /// 401 with the `WWW-Authenticate` challenge of RFC 6750.
    #[must_use]
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut problem = Self::new(ErrorCode::Unauthenticated, detail.clone());
        problem.www_authenticate = Some(format!(
            "Bearer realm=\"genuine\", error=\"invalid_token\", error_description=\"{}\"",
            detail.replace('"', "'")
        ));
        problem
    }

    /// 403 for a token without the scope a route needs (RFC 6750 `insufficient_scope`).
    #[must_use]
    pub fn insufficient_scope(scope: &str) -> Self {
        let mut problem = Self::new(
            ErrorCode::PermissionDenied,
            format!("this route needs the scope `{scope}`"),
        );
        problem.www_authenticate = Some(format!(
            "Bearer realm=\"genuine\", error=\"insufficient_scope\", scope=\"{scope}\""
        ));
        problem
    }

    /// 403 for anything else the caller may not do.
    #[must_use]
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::PermissionDenied, detail)
    }

    /// 404.
    #[must_use]
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, detail)
    }

    /// 429 with `Retry-After`.
    #[must_use]
    pub fn too_many_requests(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self::new(ErrorCode::ResourceExhausted, detail).retry_after(retry_after)
    }

    /// 503 with `Retry-After`: an upstream is down or unreachable.
    #[must_use]
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, detail).retry_after(UNAVAILABLE_RETRY)
    }

    /// Adds a `Retry-After` header (whole seconds, at least 1).
    #[must_use]
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// The `Retry-After` delay, if any.
    #[must_use]
    pub fn retry_after_delay(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Maps a service's verdict: code to HTTP status, field violations to `errors`,
    /// preconditions to `preconditions`, retry info to `Retry-After`. `upstream` names the
    /// service for messages that must not carry transport details.
    #[must_use]
    pub fn from_status(upstream: &str, status: &tonic::Status) -> Self {
        let error = ServiceError::from_status(status);
        match error.code() {
            ErrorCode::Unavailable => {
                tracing::warn!(upstream, message = status.message(), "upstream unavailable");
                let problem = Self::unavailable(format!(
                    "the {upstream} service is unavailable; try again later"
                ));
                match error.retry_after() {
                    Some(delay) => problem.retry_after(delay),
                    None => problem,
                }
            }
            ErrorCode::DeadlineExceeded => Self::new(
                ErrorCode::DeadlineExceeded,
                format!("the {upstream} service did not answer in time"),
            ),
            ErrorCode::ResourceExhausted => Self::new(
                ErrorCode::ResourceExhausted,
                format!("the {upstream} service is busy; try again later"),
            )
            .retry_after(error.retry_after().unwrap_or(Duration::from_secs(1))),
            code => {
                let mut problem = Self::new(code, error.message());
                problem.errors = error
                    .field_violations()
                    .iter()
                    .map(|v| FieldError {
                        field: camel_path(&v.field),
                        detail: v.description.clone(),
                    })
                    .collect();
                problem.preconditions = error
                    .preconditions()
                    .iter()
                    .map(|p| PreconditionError {
                        kind: p.kind.clone(),
                        subject: p.subject.clone(),
                        detail: p.description.clone(),
                    })
                    .collect();
                problem
            }
        }
    }
}

/// `notifier.email_address` → `notifier.emailAddress`: proto paths in the JSON spelling.
#[must_use]
pub fn camel_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let challenge = self.www_authenticate.clone();
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(delay) = retry_after {
            let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use genuine_runtime::errors::Violations;

    use super::*;

    #[test]
    fn field_violations_become_errors_in_json_spelling() {
        let mut v = Violations::new();
        v.require("", "explanation");
        v.add("notifier.email_address", "is not an e-mail address");
        let status: tonic::Status = v.finish().expect_err("bad").into();
        let problem = Problem::from_status("enforcement", &status);
        assert_eq!(problem.status, 400);
        assert_eq!(problem.code, "INVALID_ARGUMENT");
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["explanation", "notifier.emailAddress"]);
    }

    #[test]
    fn unavailable_hides_transport_details_and_says_when_to_retry() {
        let status = tonic::Status::unavailable("tcp connect error: 10.0.0.7:50053 refused");
        let problem = Problem::from_status("enforcement", &status);
        assert_eq!(problem.status, 503);
        assert!(!problem.detail.contains("10.0.0.7"), "{}", problem.detail);
        let response = problem.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }

    #[test]
    fn codes_map_to_http_statuses() {
        let cases = [
            (tonic::Status::not_found("x"), 404),
            (tonic::Status::permission_denied("x"), 403),
            (tonic::Status::failed_precondition("x"), 409),
            (tonic::Status::deadline_exceeded("x"), 504),
            (tonic::Status::resource_exhausted("x"), 429),
            (tonic::Status::unknown("x"), 500),
        ];
        for (status, http) in cases {
            assert_eq!(
                Problem::from_status("listing", &status).status,
                http,
                "{status:?}"
            );
        }
    }
}
