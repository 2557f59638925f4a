//! TLS between services as the runtime enforces it (`shared/runtime/src/config/tls.rs`): with
//! `GENUINE_TLS_*` set, a service's gRPC port requires client certificates and `http://` peer
//! URLs are refused at start. So where an overlay sets them, every peer URL (the gateway's
//! upstreams included) is `https://` to a name the callee's certificate holds, and the kubelet's
//! probes (which cannot present a certificate) go to the plaintext health listener
//! `GENUINE_<SVC>_HEALTH_ADDR`, declared as the container port `health`. Where they are not set,
//! peer URLs are `http://` and the probes go to the gRPC port.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::{Value, json};

use crate::objects::{array, name, of_kind};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::CALLS;
use crate::workloads::{EnvValue, Workload, environment, literal, preflight, servers};

/// The variables that turn TLS on, all three or none.
pub const TLS_KEYS: [&str; 3] = ["TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_CA_FILE"];
/// The container port name of the plaintext health listener.
pub const HEALTH_PORT_NAME: &str = "health";
pub const PROBES: [&str; 3] = ["startupProbe", "readinessProbe", "livenessProbe"];

/// How many of the `GENUINE_TLS_*` files a service is given (0 or 3 are valid).
pub fn tls_keys_set(env: &BTreeMap<String, EnvValue>, service: &str) -> usize {
    TLS_KEYS
        .iter()
        .filter(|k| crate::workloads::setting(env, service, k).is_some())
        .count()
}

/// Whether a service runs with TLS (all three files set).
pub fn tls_on(env: &BTreeMap<String, EnvValue>, service: &str) -> bool {
    tls_keys_set(env, service) == TLS_KEYS.len()
}

/// The port of `GENUINE_<SVC>_HEALTH_ADDR`, when set to an address.
pub fn health_port(env: &BTreeMap<String, EnvValue>, service: &str) -> Option<i64> {
    literal(env, service, "HEALTH_ADDR")
        .and_then(|a| a.parse::<SocketAddr>().ok())
        .map(|a| i64::from(a.port()))
}

/// The port the kubelet's gRPC probes must use: the health listener with TLS on (the gRPC port
/// requires a client certificate), else the gRPC port itself (`listen`).
pub fn probe_port(env: &BTreeMap<String, EnvValue>, service: &str, listen: i64) -> Option<i64> {
    if tls_on(env, service) {
        health_port(env, service)
    } else {
        Some(listen)
    }
}

/// The DNS names of the certificate a workload presents: the Certificate whose Secret is
/// mounted where its `GENUINE_TLS_CERT_FILE` points.
fn certificate_names(overlay: &Overlay, w: &Workload<'_>) -> Option<(String, Vec<String>)> {
    let c = w.main_container();
    let env = environment(overlay, c);
    let file = literal(&env, &w.service, "TLS_CERT_FILE")?;
    let secrets: BTreeMap<&str, &str> = array(&w.pod()["volumes"])
        .iter()
        .filter_map(|v| Some((v["name"].as_str()?, v["secret"]["secretName"].as_str()?)))
        .collect();
    let secret = array(&c["volumeMounts"]).iter().find_map(|m| {
        let dir = m["mountPath"].as_str()?;
        file.strip_prefix(dir)?
            .starts_with('/')
            .then(|| secrets.get(m["name"].as_str()?).copied())
            .flatten()
    })?;
    let certificate =
        of_kind(overlay, "Certificate").find(|cert| cert["spec"]["secretName"] == json!(secret))?;
    let names = array(&certificate["spec"]["dnsNames"])
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Some((name(certificate).to_owned(), names))
}

/// Peer URL schemes, certificate names and probe ports agree with whether TLS is on.
pub fn check_tls_wiring(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    let deployments = servers(overlay);
    for w in &deployments {
        let id = w.id();
        let svc = w.service.as_str();
        let c = w.main_container();
        let env = environment(overlay, c);
        let set = tls_keys_set(&env, svc);
        if set != 0 && set != TLS_KEYS.len() {
            found.push(format!(
                "{id}: {set} of the 3 GENUINE_TLS_* files set (the service refuses to start)"
            ));
        }
        let tls = tls_on(&env, svc);

        // Peers (and the gateway's upstreams): https:// with TLS, http:// without.
        let want = if tls { "https" } else { "http" };
        for (_, callee) in CALLS.iter().filter(|(caller, _)| *caller == svc) {
            let key = format!("{}_URL", callee.to_ascii_uppercase());
            let Some(url) = literal(&env, svc, &key) else {
                found.push(format!("{id}: GENUINE_{key} is not set"));
                continue;
            };
            let Some((scheme, rest)) = url.split_once("://") else {
                found.push(format!("{id}: GENUINE_{key}={url} has no scheme"));
                continue;
            };
            if scheme != want {
                let why = if tls {
                    "although GENUINE_TLS_* is set (the service refuses to start)"
                } else {
                    "although GENUINE_TLS_* is not set (the callee speaks plaintext)"
                };
                found.push(format!("{id}: GENUINE_{key}={url} is not {want}:// {why}"));
            }
            if tls {
                let authority = rest.split('/').next().unwrap_or_default();
                let host = authority
                    .rsplit_once(':')
                    .map_or(authority, |(host, _)| host);
                let callee_names = deployments
                    .iter()
                    .find(|d| d.service == *callee)
                    .and_then(|d| certificate_names(overlay, d));
                match callee_names {
                    None => found.push(format!(
                        "{id}: GENUINE_{key}={url}: {callee} presents no Certificate's Secret"
                    )),
                    Some((cert, names)) if !names.iter().any(|n| n == host) => {
                        found.push(format!(
                            "{id}: GENUINE_{key}={url}: {host} is not among Certificate/{cert}'s \
                             dnsNames {names:?}"
                        ));
                    }
                    Some(_) => {}
                }
            }
        }

        // The gateway's own listener stays plaintext HTTP (deployments.rs checks its probes).
        if svc == "gateway" {
            continue;
        }
        let listen = literal(&env, svc, "LISTEN_ADDR")
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .map(|a| i64::from(a.port()));
        let declared = |port_name: &str| {
            array(&c["ports"])
                .iter()
                .find(|p| p["name"].as_str() == Some(port_name))
                .and_then(|p| p["containerPort"].as_i64())
        };
        let want_port = if tls {
            let variable = format!("GENUINE_{}_HEALTH_ADDR", svc.to_ascii_uppercase());
            let Some(addr) = literal(&env, svc, "HEALTH_ADDR") else {
                found.push(format!(
                    "{id}: TLS is on but {variable} is not set (probes cannot reach health)"
                ));
                continue;
            };
            let Ok(addr) = addr.parse::<SocketAddr>() else {
                found.push(format!("{id}: {variable} {addr:?} is not an address"));
                continue;
            };
            if !addr.ip().is_unspecified() {
                found.push(format!(
                    "{id}: {variable} listens on {addr}, unreachable by the kubelet"
                ));
            }
            let port = i64::from(addr.port());
            if Some(port) == listen {
                found.push(format!(
                    "{id}: {variable} is the gRPC port {port}, which requires mTLS"
                ));
            }
            let health = declared(HEALTH_PORT_NAME);
            if health != Some(port) {
                found.push(format!(
                    "{id}: container port {HEALTH_PORT_NAME:?} is {health:?}, {variable} says {port}"
                ));
            }
            port
        } else {
            let Some(port) = listen else {
                found.push(format!("{id}: LISTEN_ADDR is not an address"));
                continue;
            };
            port
        };
        let target = if tls { "health" } else { "gRPC" };
        for probe in PROBES {
            let grpc = &c[probe]["grpc"];
            if grpc.is_null() {
                found.push(format!("{id}: {probe} is not a native gRPC probe"));
                continue;
            }
            if grpc["port"].as_i64() != Some(want_port) {
                found.push(format!(
                    "{id}: {probe} probes {}, not the {target} port {want_port}",
                    grpc["port"]
                ));
            }
            if !(grpc["service"].is_null() || grpc["service"] == json!("")) {
                found.push(format!(
                    "{id}: {probe} asks for health of {}, not the server's (\"\")",
                    grpc["service"]
                ));
            }
        }
    }
    found
}

#[test]
fn tls_decides_peer_schemes_and_probe_ports() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_tls_wiring);
}

#[test]
fn production_runs_tls_and_dev_does_not() {
    let Some(overlays) = overlays() else { return };
    for (overlay, want) in [("production", true), ("dev", false)] {
        let o = crate::render::overlay(overlays, overlay);
        for w in servers(o) {
            let env = environment(o, w.main_container());
            assert_eq!(
                tls_on(&env, &w.service),
                want,
                "{overlay}: {} TLS should be {}",
                w.id(),
                if want { "on" } else { "off" }
            );
        }
    }
}
