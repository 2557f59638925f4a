//! A model of NetworkPolicy evaluation: whether a connection between two parties, on a port and
//! protocol, gets through the egress policies at one end and the ingress policies at the other.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use crate::objects::{array, selects};

/// A party to a connection: a pod (namespace, labels, container ports) or an address outside.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub what: String,
    pub namespace: Option<String>,
    pub namespace_labels: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub ip: Ipv4Addr,
    /// Named container ports, for policies that name ports.
    pub ports: BTreeMap<String, i64>,
}

pub fn pod(
    what: &str,
    namespace: &str,
    extra_namespace_labels: &[(&str, &str)],
    labels: &BTreeMap<String, String>,
    ip: Ipv4Addr,
) -> Endpoint {
    let mut namespace_labels: BTreeMap<String, String> = extra_namespace_labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    namespace_labels.insert("kubernetes.io/metadata.name".into(), namespace.into());
    Endpoint {
        what: what.into(),
        namespace: Some(namespace.into()),
        namespace_labels,
        labels: labels.clone(),
        ip,
        ports: BTreeMap::new(),
    }
}

pub fn address(what: &str, ip: Ipv4Addr) -> Endpoint {
    Endpoint {
        what: what.into(),
        namespace: None,
        namespace_labels: BTreeMap::new(),
        labels: BTreeMap::new(),
        ip,
        ports: BTreeMap::new(),
    }
}

fn in_cidr(ip: Ipv4Addr, cidr: &str) -> bool {
    let Some((base, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(base), Ok(bits)) = (base.parse::<Ipv4Addr>(), bits.parse::<u32>()) else {
        return false;
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits.min(32))
    };
    u32::from(ip) & mask == u32::from(base) & mask
}

/// Whether a policy peer (`podSelector`/`namespaceSelector`/`ipBlock`) matches `other`, for a
/// policy in `policy_namespace`.
fn peer_matches(peer: &Value, policy_namespace: &str, other: &Endpoint) -> bool {
    if let Some(block) = peer["ipBlock"].as_object() {
        let cidr = block["cidr"].as_str().unwrap_or_default();
        return in_cidr(other.ip, cidr)
            && !array(&block["except"])
                .iter()
                .any(|e| in_cidr(other.ip, e.as_str().unwrap_or_default()));
    }
    let Some(namespace) = &other.namespace else {
        return false; // selectors select pods only
    };
    let namespace_ok = if peer["namespaceSelector"].is_null() {
        namespace == policy_namespace
    } else {
        selects(&peer["namespaceSelector"], &other.namespace_labels)
    };
    let pod_ok = peer["podSelector"].is_null() || selects(&peer["podSelector"], &other.labels);
    namespace_ok && pod_ok
}

fn port_matches(rule_port: &Value, port: i64, protocol: &str, target: &Endpoint) -> bool {
    if rule_port["protocol"].as_str().unwrap_or("TCP") != protocol {
        return false;
    }
    match &rule_port["port"] {
        Value::Null => true,
        Value::Number(n) => {
            let start = n.as_i64().unwrap_or(-1);
            let end = rule_port["endPort"].as_i64().unwrap_or(start);
            (start..=end).contains(&port)
        }
        Value::String(named) => target.ports.get(named) == Some(&port),
        _ => false,
    }
}

/// Whether the policies of `at`'s namespace let traffic through at `at` in `direction`
/// (`Ingress`: from `other`; `Egress`: to `other`) on `port`/`protocol`.
fn admitted(
    policies: &[&Value],
    at: &Endpoint,
    other: &Endpoint,
    target: &Endpoint,
    direction: &str,
    port: i64,
    protocol: &str,
) -> bool {
    let Some(namespace) = &at.namespace else {
        return true; // outside the cluster's policies
    };
    let (rules_field, peers_field) = if direction == "Ingress" {
        ("ingress", "from")
    } else {
        ("egress", "to")
    };
    let applying: Vec<&&Value> = policies
        .iter()
        .filter(|p| p["metadata"]["namespace"].as_str() == Some(namespace))
        .filter(|p| selects(&p["spec"]["podSelector"], &at.labels))
        .filter(|p| {
            let types = &p["spec"]["policyTypes"];
            if types.is_null() {
                direction == "Ingress" || !p["spec"][rules_field].is_null()
            } else {
                array(types).contains(&json!(direction))
            }
        })
        .collect();
    if applying.is_empty() {
        return true; // a pod no policy isolates
    }
    applying.iter().any(|p| {
        array(&p["spec"][rules_field]).iter().any(|rule| {
            let peers = array(&rule[peers_field]);
            let ports = array(&rule["ports"]);
            (peers.is_empty()
                || peers
                    .iter()
                    .any(|peer| peer_matches(peer, namespace, other)))
                && (ports.is_empty()
                    || ports
                        .iter()
                        .any(|p| port_matches(p, port, protocol, target)))
        })
    })
}

pub fn connects(
    policies: &[&Value],
    from: &Endpoint,
    to: &Endpoint,
    port: i64,
    protocol: &str,
) -> bool {
    admitted(policies, from, to, to, "Egress", port, protocol)
        && admitted(policies, to, from, to, "Ingress", port, protocol)
}
