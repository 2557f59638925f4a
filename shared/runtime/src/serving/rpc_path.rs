//! Splitting a gRPC request path (`/package.Service/Method`) into its two names.

/// `("package.Service", "Method")`; a path that is not a gRPC path yields `("unknown", path)`
/// so metrics and spans stay well-formed.
pub(super) fn split(path: &str) -> (&str, &str) {
    path.strip_prefix('/')
        .and_then(|rest| rest.split_once('/'))
        .filter(|(service, method)| !service.is_empty() && !method.is_empty())
        .unwrap_or(("unknown", path))
}

/// The numeric gRPC status of a response: the `grpc-status` header of a trailers-only response
/// (how tonic sends errors), otherwise 0. A status that only arrives in trailers (streaming
/// calls that fail mid-stream) is not seen here and counts as OK.
pub(super) fn status_code<B>(response: &http::Response<B>) -> i32 {
    response
        .headers()
        .get("grpc-status")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_grpc_paths() {
        assert_eq!(
            split("/grpc.health.v1.Health/Check"),
            ("grpc.health.v1.Health", "Check")
        );
        assert_eq!(split("/nonsense"), ("unknown", "/nonsense"));
        assert_eq!(split("//Check"), ("unknown", "//Check"));
    }

    #[test]
    fn reads_status_from_headers() {
        let response = tonic::Status::not_found("x").into_http::<tonic::body::Body>();
        assert_eq!(status_code(&response), 5);
        assert_eq!(status_code(&http::Response::new(())), 0);
    }
}
