//! Workloads (pod templates of Deployments, Jobs, …) and the environment their containers get,
//! read as the services read their settings.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::objects::{array, find, kind, labels, name};
use crate::render::Overlay;
use crate::suite::SERVICES;

/// A workload's pod template with what the checks need to know about it.
pub struct Workload<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// `serve` or `migrate` (the binary's sub-command), and the service it runs.
    pub command: String,
    pub service: String,
    pub template: &'a Value,
}

impl Workload<'_> {
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    pub fn pod(&self) -> &Value {
        &self.template["spec"]
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        labels(&self.template["metadata"]["labels"])
    }

    pub fn containers(&self) -> impl Iterator<Item = &Value> {
        array(&self.pod()["initContainers"])
            .iter()
            .chain(array(&self.pod()["containers"]))
    }

    pub fn main_container(&self) -> &Value {
        &self.pod()["containers"][0]
    }
}

pub fn workloads(overlay: &Overlay) -> Vec<Workload<'_>> {
    overlay
        .objects
        .iter()
        .filter(|o| {
            matches!(
                kind(o),
                "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "Pod"
            )
        })
        .map(|o| {
            let template = match kind(o) {
                "Pod" => o,
                "CronJob" => &o["spec"]["jobTemplate"]["spec"]["template"],
                _ => &o["spec"]["template"],
            };
            let args: Vec<&str> = array(&template["spec"]["containers"][0]["args"])
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Workload {
                kind: kind(o),
                name: name(o),
                command: args.first().copied().unwrap_or_default().to_owned(),
                service: args.get(1).copied().unwrap_or_default().to_owned(),
                template,
            }
        })
        .collect()
}

pub fn servers(overlay: &Overlay) -> Vec<Workload<'_>> {
    workloads(overlay)
        .into_iter()
        .filter(|w| w.kind == "Deployment")
        .collect()
}

/// Where an environment variable's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Literal(String),
    Secret { name: String, key: String },
    Other,
}

/// A container's environment as the kubelet builds it: `envFrom` in order (later wins), then
/// `env` (wins over `envFrom`). ConfigMaps are looked up in the rendered objects.
pub fn environment(overlay: &Overlay, container: &Value) -> BTreeMap<String, EnvValue> {
    let mut env = BTreeMap::new();
    for source in array(&container["envFrom"]) {
        let prefix = source["prefix"].as_str().unwrap_or_default();
        if let Some(map) = source["configMapRef"]["name"].as_str() {
            let data = find(overlay, "ConfigMap", map).map(|m| &m["data"]);
            for (k, v) in data.and_then(Value::as_object).into_iter().flatten() {
                let value = EnvValue::Literal(v.as_str().unwrap_or_default().to_owned());
                env.insert(format!("{prefix}{k}"), value);
            }
        }
    }
    for var in array(&container["env"]) {
        let key = var["name"].as_str().unwrap_or_default().to_owned();
        let value = if let Some(v) = var["value"].as_str() {
            EnvValue::Literal(v.to_owned())
        } else if let Some(secret) = var["valueFrom"]["secretKeyRef"].as_object() {
            EnvValue::Secret {
                name: secret["name"].as_str().unwrap_or_default().to_owned(),
                key: secret["key"].as_str().unwrap_or_default().to_owned(),
            }
        } else if let Some(reference) = var["valueFrom"]["configMapKeyRef"].as_object() {
            let map = reference["name"].as_str().unwrap_or_default();
            let key = reference["key"].as_str().unwrap_or_default();
            find(overlay, "ConfigMap", map)
                .and_then(|m| m["data"][key].as_str())
                .map_or(EnvValue::Other, |v| EnvValue::Literal(v.to_owned()))
        } else {
            EnvValue::Other
        };
        env.insert(key, value);
    }
    env
}

/// A setting as the service reads it: `GENUINE_<SVC>_<KEY>`, then `GENUINE_<KEY>`.
pub fn setting<'e>(
    env: &'e BTreeMap<String, EnvValue>,
    service: &str,
    key: &str,
) -> Option<&'e EnvValue> {
    env.get(&format!("GENUINE_{}_{key}", service.to_ascii_uppercase()))
        .or_else(|| env.get(&format!("GENUINE_{key}")))
}

pub fn literal<'e>(
    env: &'e BTreeMap<String, EnvValue>,
    service: &str,
    key: &str,
) -> Option<&'e str> {
    match setting(env, service, key) {
        Some(EnvValue::Literal(v)) => Some(v),
        _ => None,
    }
}

pub fn container_port(container: &Value, port: &Value) -> Option<i64> {
    match port {
        Value::Number(n) => n.as_i64(),
        Value::String(named) => array(&container["ports"])
            .iter()
            .find(|p| p["name"].as_str() == Some(named))
            .and_then(|p| p["containerPort"].as_i64()),
        _ => None,
    }
}

pub fn preflight(overlay: &Overlay) -> Vec<String> {
    let mut found = Vec::new();
    let served: BTreeSet<String> = servers(overlay).iter().map(|w| w.service.clone()).collect();
    for service in SERVICES {
        if !served.contains(service) {
            found.push(format!("no Deployment runs `serve {service}`"));
        }
    }
    found
}
