//! Each service reaches its peers through their Services, by name and port.

use crate::objects::{array, find, namespace};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::{CALLS, port_name};
use crate::workloads::{environment, literal, preflight, servers};

/// Each service's peers are the Services of the other services, on their ports.
fn check_peer_urls(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    let namespace = namespace(overlay);
    for w in servers(overlay) {
        let env = environment(overlay, w.main_container());
        for (_, callee) in CALLS.iter().filter(|(caller, _)| *caller == w.service) {
            let key = format!("{}_URL", callee.to_ascii_uppercase());
            let Some(url) = literal(&env, &w.service, &key) else {
                found.push(format!("{}: GENUINE_{key} is not set", w.id()));
                continue;
            };
            let authority = url
                .split_once("://")
                .map_or(url, |(_, rest)| rest)
                .trim_end_matches('/');
            let (host, port) = authority.rsplit_once(':').unwrap_or((authority, ""));
            let service_port = find(overlay, "Service", callee).and_then(|s| {
                array(&s["spec"]["ports"])
                    .iter()
                    .find(|p| p["name"].as_str() == Some(port_name(callee)))
                    .and_then(|p| p["port"].as_i64())
            });
            let host_ok = host == *callee
                || host
                    .strip_prefix(&format!("{callee}.{namespace}"))
                    .is_some_and(|rest| ["", ".svc", ".svc.cluster.local"].contains(&rest));
            if !host_ok || port.parse::<i64>().ok() != service_port {
                found.push(format!(
                    "{}: GENUINE_{key}={url} is not the {callee} Service (port {service_port:?})",
                    w.id()
                ));
            }
        }
    }
    found
}

#[test]
fn peers_are_reached_by_their_service_names() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_peer_urls);
}
