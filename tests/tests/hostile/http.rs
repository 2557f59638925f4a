//! Raw HTTP/1.1 exchanges with the gateway: any bytes as the request (invalid UTF-8 bodies, a
//! lying content type), answers read as bytes so a bad answer is reported, not a panic.

use std::time::Duration;

use genuine_suite_tests::gateway::dechunk;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the gateway answered.
#[derive(Debug, Clone)]
pub struct Reply {
    /// 0 when nothing HTTP came back.
    pub status: u16,
    /// Lower-case `Content-Type`, without parameters.
    pub content_type: String,
    pub body: String,
}

impl Reply {
    fn failed(why: impl Into<String>) -> Self {
        Self {
            status: 0,
            content_type: String::new(),
            body: why.into(),
        }
    }
}

/// A request: method, target (path and query, already encoded), headers, body.
pub fn request(
    method: &str,
    target: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    [head.as_bytes(), body].concat()
}

/// Sends `raw` to `addr` and reads the whole answer.
pub async fn exchange(addr: &str, raw: &[u8]) -> Reply {
    send(addr, raw, false).await
}

/// Sends `raw`, closes the sending side (a client gone mid-body) and reads what comes back.
pub async fn exchange_and_hang_up(addr: &str, raw: &[u8]) -> Reply {
    send(addr, raw, true).await
}

async fn send(addr: &str, raw: &[u8], hang_up: bool) -> Reply {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return Reply::failed("connection refused");
    };
    // A server may answer (413) and close before reading a huge body: keep what it said.
    let _ = stream.write_all(raw).await;
    if hang_up {
        let _ = stream.shutdown().await;
    }
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
    if read.is_err() {
        return Reply::failed("no answer within 60 s");
    }
    parse(&answer)
}

fn parse(answer: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(answer);
    let Some(status) = text.get(9..12).and_then(|s| s.parse().ok()) else {
        return Reply::failed(format!("not HTTP: {text:.200}"));
    };
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut content_type = String::new();
    let mut chunked = false;
    for line in head.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "content-type" {
            content_type = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
        } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Reply {
        status,
        content_type,
        body,
    }
}

/// `Err` with the reason unless `reply` is an acceptable answer to bad input: no server fault,
/// and a 400/422 is problem+json naming at least one field.
pub fn judge(reply: &Reply) -> Result<(), String> {
    let shown = || {
        format!(
            "{} {} {:.300}",
            reply.status, reply.content_type, reply.body
        )
    };
    if reply.status == 0 || (reply.status >= 500 && reply.status != 504) {
        return Err(format!("server fault: {}", shown()));
    }
    if matches!(reply.status, 400 | 422) {
        if reply.content_type != "application/problem+json" {
            return Err(format!("not problem+json: {}", shown()));
        }
        let named = serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|doc| doc["errors"].as_array().cloned())
            .is_some_and(|errors| {
                errors
                    .iter()
                    .any(|e| e["field"].as_str().is_some_and(|f| !f.is_empty()))
            });
        if !named {
            return Err(format!("no field named: {}", shown()));
        }
    }
    Ok(())
}
