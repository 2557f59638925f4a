//! Access audit: every request a regulator makes (reads of trader data, writes, refusals) is
//! recorded as who, what, when and outcome — a structured log line on target `genuine::audit`
//! and, when configured, a JSON line appended to `GENUINE_GATEWAY_AUDIT_FILE`.
//!
//! Why not enforcement's audit log: its contract has no RPC to append an entry (it logs its own
//! state changes only), and the gateway owns no database for an outbox. Writes made through the
//! gateway are in enforcement's and reputation's records anyway, under the regulator's own
//! identity, because the gateway forwards the regulator's token.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use genuine_runtime::auth::Principal;
use serde::Serialize;

use crate::auth::Scope;
use crate::state::AppState;

/// One access record.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRecord {
    /// When the request was answered (RFC 3339).
    pub time: String,
    /// The token's subject.
    pub subject: String,
    pub agency: Option<String>,
    pub jurisdiction: Option<String>,
    /// The scope the route needs.
    pub scope: &'static str,
    /// Whether the route changes state.
    pub write: bool,
    pub method: String,
    /// The route template, e.g. `/v1/sellers/{id}`.
    pub route: String,
    /// The path and query actually requested.
    pub target: String,
    /// The HTTP status answered.
    pub status: u16,
    pub trace_id: Option<String>,
}

/// Filled by the [`crate::auth::Caller`] extractor once the token is verified, so that refusals
/// after authentication (scope, jurisdiction, rate limit) are audited too.
#[derive(Debug, Clone, Default)]
pub struct AuditSlot(Arc<Mutex<Option<(Principal, Scope)>>>);

impl AuditSlot {
    /// Records who is calling and the scope of the route.
    pub fn fill(&self, principal: &Principal, scope: Scope) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((principal.clone(), scope));
    }

    fn take(&self) -> Option<(Principal, Scope)> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Where access records go.
#[derive(Debug)]
pub struct AuditSink {
    file: Option<Mutex<File>>,
}

impl AuditSink {
    /// A sink writing to the log and, with `path`, appending to that file.
    ///
    /// # Errors
    /// When the file cannot be opened for appending.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let file = match path {
            Some(path) => Some(Mutex::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "GENUINE_GATEWAY_AUDIT_FILE: cannot open {}: {e}",
                            path.display()
                        )
                    })?,
            )),
            None => None,
        };
        Ok(Self { file })
    }

    /// Records one access. A failing file write is logged loudly, never hidden.
    pub fn record(&self, record: &AccessRecord) {
        tracing::info!(
            target: "genuine::audit",
            subject = %record.subject,
            agency = record.agency.as_deref().unwrap_or(""),
            jurisdiction = record.jurisdiction.as_deref().unwrap_or(""),
            scope = record.scope,
            write = record.write,
            method = %record.method,
            route = %record.route,
            target_path = %record.target,
            status = record.status,
            "regulator access"
        );
        if let Some(file) = &self.file {
            let line = match serde_json::to_string(record) {
                Ok(line) => line,
                Err(error) => {
                    tracing::error!(%error, "cannot encode an access record");
                    return;
                }
            };
            let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(error) = writeln!(file, "{line}").and_then(|()| file.flush()) {
                tracing::error!(%error, "cannot append to the access audit file");
            }
        }
    }
}

/// Middleware: hands the request an [`AuditSlot`] and records the access once answered.
pub async fn audit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let slot = AuditSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let trace_id = crate::http::trace::current_trace_id();
    let response = next.run(request).await;
    if let Some((principal, scope)) = slot.take() {
        state.audit().record(&AccessRecord {
            time: state
                .clock()
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            subject: principal.subject,
            agency: principal.agency,
            jurisdiction: principal.jurisdiction,
            scope: scope.as_str(),
            write: scope.is_write(),
            method,
            route,
            target,
            status: response.status().as_u16(),
            trace_id,
        });
    }
    response
}
