//! Deployments: probes on the port the configuration listens on, a drain that fits in the
//! termination grace, a disruption budget, spread, a NetworkPolicy of their own, and a Service
//! that routes to the right port.

use std::time::Duration;

use serde_json::json;

use crate::objects::{array, find, of_kind, selects, selects_map};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::{DEFAULT_SHUTDOWN_GRACE, SERVICES, port_name};
use crate::tls::probe_port;
use crate::workloads::{
    EnvValue, container_port, environment, literal, preflight, servers, setting, workloads,
};

/// Probes, termination grace, disruption budget, spread, Service and config port agreement.
pub fn check_deployments(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    for w in servers(overlay) {
        let id = w.id();
        let svc = w.service.as_str();
        let c = w.main_container();
        let env = environment(overlay, c);
        let labels = w.labels();
        if w.command != "serve" || !SERVICES.contains(&svc) {
            found.push(format!("{id}: does not run `serve <service>`"));
            continue;
        }

        // The port the service listens on, from its configuration.
        let listen = literal(&env, svc, "LISTEN_ADDR").unwrap_or_default();
        let Ok(listen) = listen.parse::<std::net::SocketAddr>() else {
            found.push(format!(
                "{id}: GENUINE_{}_LISTEN_ADDR {listen:?} is not an address",
                svc.to_ascii_uppercase()
            ));
            continue;
        };
        if !listen.ip().is_unspecified() {
            found.push(format!(
                "{id}: listens on {listen}, unreachable from other pods"
            ));
        }
        let port = i64::from(listen.port());
        let named = port_name(svc);
        let declared = array(&c["ports"])
            .iter()
            .find(|p| p["name"].as_str() == Some(named))
            .and_then(|p| p["containerPort"].as_i64());
        if declared != Some(port) {
            found.push(format!(
                "{id}: container port {named:?} is {declared:?}, LISTEN_ADDR says {port}"
            ));
        }

        // Probes on that port: native gRPC health for services, HTTP for the gateway. With TLS
        // on, gRPC services answer the kubelet on their plaintext health port instead (tls.rs).
        let health = probe_port(&env, svc, port).unwrap_or(port);
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            let p = &c[probe];
            if p.is_null() {
                found.push(format!("{id}: no {probe}"));
                continue;
            }
            if svc == "gateway" {
                let path = p["httpGet"]["path"].as_str();
                let want = if probe == "readinessProbe" {
                    "/readyz"
                } else {
                    "/healthz"
                };
                if path != Some(want) {
                    found.push(format!("{id}: {probe} is not an HTTP GET of {want}"));
                }
                if container_port(c, &p["httpGet"]["port"]) != Some(port) {
                    found.push(format!("{id}: {probe} does not probe port {port}"));
                }
            } else if p["grpc"]["port"].as_i64() != Some(health) {
                found.push(format!(
                    "{id}: {probe} is not a gRPC health probe on {health}"
                ));
            }
        }

        // SIGKILL only after the preStop pause and the drain.
        let grace = match setting(&env, svc, "SHUTDOWN_GRACE") {
            None => DEFAULT_SHUTDOWN_GRACE,
            Some(EnvValue::Literal(v)) => humantime::parse_duration(v).unwrap_or_else(|_| {
                found.push(format!("{id}: SHUTDOWN_GRACE {v:?} is not a duration"));
                DEFAULT_SHUTDOWN_GRACE
            }),
            Some(other) => {
                found.push(format!("{id}: SHUTDOWN_GRACE is not a literal ({other:?})"));
                DEFAULT_SHUTDOWN_GRACE
            }
        };
        let pre_stop = c["lifecycle"]["preStop"]["sleep"]["seconds"]
            .as_u64()
            .unwrap_or_default();
        let budget = w.pod()["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(30);
        if Duration::from_secs(budget) <= grace + Duration::from_secs(pre_stop) {
            found.push(format!(
                "{id}: terminationGracePeriodSeconds {budget} does not exceed preStop {pre_stop}s + SHUTDOWN_GRACE {grace:?}"
            ));
        }

        // Disruption budget, spread and policy select the pods.
        if !of_kind(overlay, "PodDisruptionBudget")
            .any(|p| selects(&p["spec"]["selector"], &labels))
        {
            found.push(format!("{id}: no PodDisruptionBudget selects its pods"));
        }
        let own_policy = of_kind(overlay, "NetworkPolicy").any(|p| {
            let selector = &p["spec"]["podSelector"];
            selector.as_object().is_some_and(|s| !s.is_empty())
                && selects(selector, &labels)
                && array(&p["spec"]["policyTypes"]).contains(&json!("Ingress"))
        });
        if !own_policy {
            found.push(format!(
                "{id}: no NetworkPolicy of its own selects its pods"
            ));
        }
        let spread = array(&w.pod()["topologySpreadConstraints"]);
        if spread.is_empty() || !spread.iter().all(|t| selects(&t["labelSelector"], &labels)) {
            found.push(format!(
                "{id}: no topologySpreadConstraints over its own pods"
            ));
        }
        let deployment = find(overlay, "Deployment", w.name).expect("listed above");
        if !selects(&deployment["spec"]["selector"], &labels) {
            found.push(format!(
                "{id}: its selector does not match its pod template"
            ));
        }

        // A Service of the service's name routes its named port to the container port.
        match find(overlay, "Service", svc) {
            None => found.push(format!("{id}: no Service named {svc}")),
            Some(service) => {
                if !selects_map(&service["spec"]["selector"], &labels) {
                    found.push(format!("{id}: Service {svc} does not select its pods"));
                }
                let other = workloads(overlay)
                    .into_iter()
                    .filter(|o| o.name != w.name || o.kind != w.kind)
                    .filter(|o| selects_map(&service["spec"]["selector"], &o.labels()))
                    .map(|o| o.id())
                    .collect::<Vec<_>>();
                if !other.is_empty() {
                    found.push(format!("{id}: Service {svc} also selects {other:?}"));
                }
                let ports = array(&service["spec"]["ports"]);
                match ports.iter().find(|p| p["name"].as_str() == Some(named)) {
                    None => found.push(format!("{id}: Service {svc} has no port named {named}")),
                    Some(p) => {
                        let target = if p["targetPort"].is_null() {
                            &p["port"]
                        } else {
                            &p["targetPort"]
                        };
                        if container_port(c, target) != Some(port) {
                            found.push(format!("{id}: Service {svc} targets {target}, the container listens on {port}"));
                        }
                    }
                }
            }
        }
    }
    found
}

#[test]
fn deployments_probe_drain_spread_and_agree_on_ports() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_deployments);
}
