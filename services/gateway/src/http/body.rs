//! Request bodies and query strings with the gateway's limits, answering every bad input with
//! problem details that name the problem (axum's own rejections are plain text).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::problem::Problem;
use crate::state::AppState;

/// A JSON body: `application/json`, at most the configured size and nesting depth.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Problem> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(Problem::with_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "the body must be JSON with `Content-Type: application/json`",
            ));
        }
        let limits = state.limits();
        let bytes = axum::body::to_bytes(request.into_body(), limits.max_body_bytes)
            .await
            .map_err(|_| {
                Problem::with_status(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    format!("the body is larger than {} bytes", limits.max_body_bytes),
                )
            })?;
        parse(&bytes, limits.max_json_depth).map(ApiJson)
    }
}

/// Parses `bytes` as `T`, refusing nesting deeper than `max_depth`.
///
/// # Errors
/// 400 naming the problem and where it is.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], max_depth: usize) -> Result<T, Problem> {
    if let Some(depth) = too_deep(bytes, max_depth) {
        return Err(Problem::invalid_field(
            "body",
            format!("JSON is nested deeper than {max_depth} levels (found {depth})"),
        ));
    }
    // Serde would also read a struct from a JSON array; every body here is an object.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(Problem::invalid_field("body", "must be a JSON object"));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| Problem::invalid_field("body", format!("invalid JSON: {e}")))
}

/// The first depth above `max` reached by `bytes`, scanning brackets outside strings.
fn too_deep(bytes: &[u8], max: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0_usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(depth);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A query string; unknown parameters are refused so that typos do not silently widen a query.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| Problem::invalid_field("query", e.body_text()))
    }
}

/// A path parameter; a bad one (e.g. a non-number index) is 400 with problem details.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| Problem::invalid_field("path", e.body_text()))
    }
}

/// A JSON body that may be left out entirely (then `T::default()`).
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Problem> {
        let empty = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
            || (request.headers().get(header::CONTENT_TYPE).is_none()
                && request.headers().get(header::TRANSFER_ENCODING).is_none()
                && request.headers().get(header::CONTENT_LENGTH).is_none());
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::<T>::from_request(request, state)
            .await
            .map(|j| OptionalJson(j.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    #[test]
    fn depth_is_counted_outside_strings_only() {
        assert_eq!(too_deep(br#"{"a":[[1]]}"#, 3), None);
        assert_eq!(too_deep(br#"{"a":[[[1]]]}"#, 3), Some(4));
        assert_eq!(too_deep(br#"{"a":"[[[[[[\"[["}"#, 1), None);
    }

    #[test]
    fn bad_json_names_the_problem() {
        let problem = parse::<Body>(br#"{"name": 3}"#, 8).expect_err("wrong type");
        assert_eq!(problem.status, 400);
        assert!(
            problem.errors[0].detail.contains("invalid type"),
            "{problem:?}"
        );
        let problem = parse::<Body>(b"{", 8).expect_err("truncated");
        assert!(problem.errors[0].detail.contains("EOF"), "{problem:?}");
        let problem = parse::<Body>(br#"["name"]"#, 8).expect_err("array");
        assert!(problem.errors[0].detail.contains("object"), "{problem:?}");
        let problem = parse::<Body>(br#"{"x":[[[[[[[[[[1]]]]]]]]]]}"#, 8).expect_err("deep");
        assert!(
            problem.errors[0].detail.contains("deeper than 8"),
            "{problem:?}"
        );
    }
}
