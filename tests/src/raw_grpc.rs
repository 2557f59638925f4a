//! gRPC calls below the generated clients: any bytes as the request message, any framing
//! (compressed flag, a length that lies) and any header value, over a real channel. For tests
//! that send what no well-behaved client would.

use tonic::Status;
use tonic::codegen::Bytes;
use tonic::codegen::http::{HeaderMap, HeaderName, HeaderValue, Request, header};
use tonic::transport::Channel;
use tower::ServiceExt as _;

/// A request as it goes on the wire.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// `/genuine.listing.v1.ListingService/CreateListing`.
    pub path: String,
    /// Extra headers (metadata), e.g. `authorization` or `grpc-encoding`.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The HTTP/2 body: length-prefixed messages, see [`frame`].
    pub body: Bytes,
}

impl RawRequest {
    /// One uncompressed message `payload` to `path` with a bearer `token`.
    pub fn message(path: &str, token: Option<&str>, payload: &[u8]) -> Self {
        let mut request = Self {
            path: path.to_owned(),
            headers: Vec::new(),
            body: frame(false, payload).into(),
        };
        if let Some(token) = token {
            request.header(
                header::AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {token}")).expect("ASCII token"),
            );
        }
        request
    }

    /// Adds a header.
    pub fn header(&mut self, name: HeaderName, value: HeaderValue) -> &mut Self {
        self.headers.push((name, value));
        self
    }
}

/// A gRPC length-prefixed message: compressed flag, big-endian length, payload.
pub fn frame(compressed: bool, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).expect("payload under 4 GiB");
    let mut out = Vec::with_capacity(payload.len() + 5);
    out.push(u8::from(compressed));
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Sends `request` and returns the call's final status: `OK` when the server answered it, else
/// the error with its details. A transport failure (the server dropped the connection, as a
/// panicking handler makes it do) comes back as the status tonic derives from it.
pub async fn call(channel: Channel, request: RawRequest) -> Status {
    let mut http = Request::builder()
        .method("POST")
        .uri(request.path.as_str())
        .header(header::CONTENT_TYPE, "application/grpc")
        .header(header::TE, "trailers");
    for (name, value) in request.headers {
        http = http.header(name, value);
    }
    let http = http
        .body(tonic::body::Body::new(http_body_util::Full::new(
            request.body,
        )))
        .expect("a well-formed HTTP request");
    let response = match channel.oneshot(http).await {
        Ok(response) => response,
        Err(error) => return Status::from_error(error.into()),
    };
    let (parts, body) = response.into_parts();
    if let Some(status) = Status::from_header_map(&parts.headers) {
        return status;
    }
    let collected = match http_body_util::BodyExt::collect(body).await {
        Ok(collected) => collected,
        Err(status) => return status,
    };
    let trailers = collected.trailers().cloned().unwrap_or_else(HeaderMap::new);
    Status::from_header_map(&trailers).unwrap_or_else(|| {
        Status::unknown(format!(
            "no grpc-status in the answer (HTTP {})",
            parts.status
        ))
    })
}
