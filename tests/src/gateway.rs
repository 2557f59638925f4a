//! The regulator gateway in front of a running suite, and a minimal HTTP/1.1 client for it: what
//! a regulator portal does, with no client library between the test and the wire.

use std::time::Duration;

use genuine_runtime::clock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::Suite;

/// A gateway serving on 127.0.0.1; stops when dropped.
#[derive(Debug)]
pub struct Gateway {
    addr: String,
    stop: CancellationToken,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// An HTTP answer: status, headers and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// Header names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics with the answer when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }

    /// Panics unless the status is 2xx; the JSON body.
    pub fn ok(&self) -> serde_json::Value {
        assert!(
            (200..300).contains(&self.status),
            "{} {}",
            self.status,
            self.body
        );
        self.json()
    }
}

impl Gateway {
    /// Starts the gateway with the suite's settings and waits until it is ready (every upstream
    /// SERVING).
    pub async fn start(suite: &Suite) -> Self {
        Self::start_with(suite, Vec::new()).await
    }

    /// Like [`Gateway::start`] with `settings` added, e.g. a lower concurrency limit.
    pub async fn start_with(suite: &Suite, settings: Vec<(String, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let mut source = suite.source().clone();
        for (key, value) in settings {
            source.set(key, value);
        }
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            genuine_gateway::serve(&source, listener, clock::system(), token).await
        });
        let gateway = Self { addr, stop };
        for _ in 0..200 {
            if gateway.get("/readyz", None).await.status == 200 {
                return gateway;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gateway did not become ready");
    }

    /// Its address (`127.0.0.1:port`).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send("GET", path, token, &[], None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, token: &str, json: &serde_json::Value) -> Answer {
        self.send("POST", path, Some(token), &[], Some(&json.to_string()))
            .await
    }

    /// Any request, with extra headers (e.g. `traceparent`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        json: Option<&str>,
    ) -> Answer {
        let Ok(mut stream) = TcpStream::connect(&self.addr).await else {
            return Answer {
                status: 0,
                body: "connection refused".to_owned(),
                headers: Vec::new(),
            };
        };
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = json.unwrap_or("");
        if json.is_some() {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).await.expect("read");
        let status = raw
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not HTTP: {raw}"));
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let headers = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        Answer {
            status,
            body,
            headers,
        }
    }
}

/// The payload of a chunked body.
#[must_use]
pub fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
