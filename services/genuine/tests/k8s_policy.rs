//! Policy checks of what operators deploy: every overlay under `k8s/overlays/` as
//! `kubectl kustomize` renders it, and the image's `services/genuine/Dockerfile`.
//!
//! The manifests must be trustworthy without editing: probes, a restricted security context,
//! requests and limits, a PodDisruptionBudget and a NetworkPolicy for every Deployment, images
//! pinned by tag, ports that agree between Deployment, Service and configuration, a drain that
//! fits in the termination grace, and NetworkPolicies that admit exactly the callers of
//! DESIGN.md's diagram (evaluated, not pattern-matched). `mutations_are_caught` breaks a rendered
//! overlay on purpose to show that each check can fail.
//!
//! kubectl must be installed: without it these tests fail, they do not skip.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

/// The services of the suite, the binary's name for each (`genuine serve <name>`).
const SERVICES: [&str; 4] = ["listing", "reputation", "enforcement", "gateway"];
/// Services that own a database (and so a migration Job, a database Secret and PostgreSQL egress).
const DATABASE_OWNERS: [&str; 3] = ["listing", "reputation", "enforcement"];
/// Who calls whom (../shared/DESIGN.md, "Shape"): (caller, callee).
const CALLS: [(&str, &str); 8] = [
    ("gateway", "listing"),
    ("gateway", "reputation"),
    ("gateway", "enforcement"),
    ("listing", "reputation"),
    ("listing", "enforcement"),
    ("reputation", "listing"),
    ("enforcement", "listing"),
    ("enforcement", "reputation"),
];
/// Namespace label that admits the marketplace's internal platform clients to listing.
const LISTING_CLIENT_LABEL: &str = "genuine-project.github.io/listing-client";
/// The image every workload runs.
const IMAGE: &str = "ghcr.io/genuine-project/genuine";
/// The user of the distroless `nonroot` image and of every pod.
const NONROOT_UID: i64 = 65532;
/// The drain time a service uses when `GENUINE_<SVC>_SHUTDOWN_GRACE` is not set.
const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Rendering

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One overlay as kustomize renders it.
#[derive(Clone)]
struct Overlay {
    name: String,
    objects: Vec<Value>,
}

fn render(dir: &Path) -> Vec<Value> {
    let output = match Command::new("kubectl").arg("kustomize").arg(dir).output() {
        Ok(output) => output,
        Err(error) => panic!(
            "cannot run `kubectl kustomize {}`: {error}. kubectl is required by this test \
             (https://kubernetes.io/docs/tasks/tools/); install it, it is not optional",
            dir.display()
        ),
    };
    assert!(
        output.status.success(),
        "`kubectl kustomize {}` failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("kustomize prints UTF-8");
    serde_norway::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).expect("kustomize prints valid YAML"))
        .filter(|object| !object.is_null())
        .collect()
}

fn overlays() -> &'static [Overlay] {
    static OVERLAYS: OnceLock<Vec<Overlay>> = OnceLock::new();
    OVERLAYS.get_or_init(|| {
        let dir = repo_root().join("k8s/overlays");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.join("kustomization.yaml").is_file())
            .collect();
        found.sort();
        found
            .iter()
            .map(|path| Overlay {
                name: path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                objects: render(path),
            })
            .collect()
    })
}

fn overlay(name: &str) -> &'static Overlay {
    overlays()
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("k8s/overlays/{name} is missing"))
}

/// Runs `check` on every overlay and fails with every violation found.
fn assert_all(check: fn(&Overlay) -> Vec<String>) {
    let found: Vec<String> = overlays()
        .iter()
        .flat_map(|o| check(o).into_iter().map(|v| format!("{}: {v}", o.name)))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Small readers of rendered objects

fn kind(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or_default()
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}

fn of_kind<'a>(overlay: &'a Overlay, k: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    overlay.objects.iter().filter(move |o| kind(o) == k)
}

fn find<'a>(overlay: &'a Overlay, k: &str, n: &str) -> Option<&'a Value> {
    overlay
        .objects
        .iter()
        .find(|o| kind(o) == k && name(o) == n)
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A label selector (`matchLabels` and `matchExpressions`) against a set of labels. An empty
/// selector selects everything; a missing one (`Null`) selects nothing.
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    if selector.is_null() {
        return false;
    }
    let by_labels = selector["matchLabels"].as_object().is_none_or(|m| {
        m.iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    });
    let by_expressions = array(&selector["matchExpressions"]).iter().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = array(&e["values"])
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let value = labels.get(key).map(String::as_str);
        match e["operator"].as_str() {
            Some("In") => value.is_some_and(|v| values.contains(&v)),
            Some("NotIn") => value.is_none_or(|v| !values.contains(&v)),
            Some("Exists") => value.is_some(),
            Some("DoesNotExist") => value.is_none(),
            _ => false,
        }
    });
    by_labels && by_expressions
}

/// A Service's selector: a plain label map, which selects nothing when empty or missing.
fn selects_map(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    selector.as_object().is_some_and(|m| {
        !m.is_empty()
            && m.iter()
                .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    })
}

/// Kubernetes quantities (`500m`, `1`, `256Mi`, `2Gi`) as numbers.
fn quantity(v: &Value) -> Option<f64> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// A workload's pod template with what the checks need to know about it.
struct Workload<'a> {
    kind: &'a str,
    name: &'a str,
    /// `serve` or `migrate` (the binary's sub-command), and the service it runs.
    command: String,
    service: String,
    template: &'a Value,
}

impl Workload<'_> {
    fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    fn pod(&self) -> &Value {
        &self.template["spec"]
    }

    fn labels(&self) -> BTreeMap<String, String> {
        labels(&self.template["metadata"]["labels"])
    }

    fn containers(&self) -> impl Iterator<Item = &Value> {
        array(&self.pod()["initContainers"])
            .iter()
            .chain(array(&self.pod()["containers"]))
    }

    fn main_container(&self) -> &Value {
        &self.pod()["containers"][0]
    }
}

fn workloads(overlay: &Overlay) -> Vec<Workload<'_>> {
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

fn servers(overlay: &Overlay) -> Vec<Workload<'_>> {
    workloads(overlay)
        .into_iter()
        .filter(|w| w.kind == "Deployment")
        .collect()
}

/// Where an environment variable's value comes from.
#[derive(Debug, Clone, PartialEq)]
enum EnvValue {
    Literal(String),
    Secret { name: String, key: String },
    Other,
}

/// A container's environment as the kubelet builds it: `envFrom` in order (later wins), then
/// `env` (wins over `envFrom`). ConfigMaps are looked up in the rendered objects.
fn environment(overlay: &Overlay, container: &Value) -> BTreeMap<String, EnvValue> {
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
fn setting<'e>(
    env: &'e BTreeMap<String, EnvValue>,
    service: &str,
    key: &str,
) -> Option<&'e EnvValue> {
    env.get(&format!("GENUINE_{}_{key}", service.to_ascii_uppercase()))
        .or_else(|| env.get(&format!("GENUINE_{key}")))
}

fn literal<'e>(env: &'e BTreeMap<String, EnvValue>, service: &str, key: &str) -> Option<&'e str> {
    match setting(env, service, key) {
        Some(EnvValue::Literal(v)) => Some(v),
        _ => None,
    }
}

fn container_port(container: &Value, port: &Value) -> Option<i64> {
    match port {
        Value::Number(n) => n.as_i64(),
        Value::String(named) => array(&container["ports"])
            .iter()
            .find(|p| p["name"].as_str() == Some(named))
            .and_then(|p| p["containerPort"].as_i64()),
        _ => None,
    }
}

/// The port name a service's main port must have.
fn port_name(service: &str) -> &'static str {
    if service == "gateway" { "http" } else { "grpc" }
}

fn preflight(overlay: &Overlay) -> Vec<String> {
    let mut found = Vec::new();
    let served: BTreeSet<String> = servers(overlay).iter().map(|w| w.service.clone()).collect();
    for service in SERVICES {
        if !served.contains(service) {
            found.push(format!("no Deployment runs `serve {service}`"));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Checks; each returns every violation it finds in one overlay.

/// Restricted security context, resources, pinned image, no token, writable paths only on
/// emptyDirs, for every pod template (servers and Jobs).
fn check_hardening(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    for w in workloads(overlay) {
        let id = w.id();
        let pod = w.pod();
        let psc = &pod["securityContext"];
        if psc["runAsNonRoot"] != json!(true) {
            found.push(format!(
                "{id}: pod securityContext.runAsNonRoot is not true"
            ));
        }
        if psc["runAsUser"] != json!(NONROOT_UID) {
            found.push(format!(
                "{id}: pod securityContext.runAsUser is not {NONROOT_UID}"
            ));
        }
        if psc["seccompProfile"]["type"] != json!("RuntimeDefault") {
            found.push(format!("{id}: pod seccompProfile is not RuntimeDefault"));
        }
        for flag in ["hostNetwork", "hostPID", "hostIPC"] {
            if pod[flag] == json!(true) {
                found.push(format!("{id}: {flag} is set"));
            }
        }
        if pod["automountServiceAccountToken"] != json!(false) {
            found.push(format!("{id}: automountServiceAccountToken is not false"));
        }
        match pod["serviceAccountName"].as_str() {
            None => found.push(format!(
                "{id}: runs as the namespace's default ServiceAccount"
            )),
            Some(sa) => match find(overlay, "ServiceAccount", sa) {
                None => found.push(format!("{id}: ServiceAccount {sa} is not in the overlay")),
                Some(sa) if sa["automountServiceAccountToken"] != json!(false) => found.push(
                    format!("{id}: ServiceAccount {} mounts its token", name(sa)),
                ),
                Some(_) => {}
            },
        }
        let volumes: BTreeMap<&str, &Value> = array(&pod["volumes"])
            .iter()
            .map(|v| (v["name"].as_str().unwrap_or_default(), v))
            .collect();
        for v in volumes.values() {
            if !v["hostPath"].is_null() {
                found.push(format!("{id}: mounts a hostPath volume"));
            }
        }
        for c in w.containers() {
            let cid = format!("{id} container {}", c["name"].as_str().unwrap_or("?"));
            let sc = &c["securityContext"];
            let expected = [
                ("runAsNonRoot", json!(true)),
                ("runAsUser", json!(NONROOT_UID)),
                ("allowPrivilegeEscalation", json!(false)),
                ("readOnlyRootFilesystem", json!(true)),
            ];
            for (field, value) in expected {
                if sc[field] != value {
                    found.push(format!("{cid}: securityContext.{field} is not {value}"));
                }
            }
            if sc["privileged"] == json!(true) {
                found.push(format!("{cid}: privileged"));
            }
            if !array(&sc["capabilities"]["drop"]).contains(&json!("ALL")) {
                found.push(format!("{cid}: capabilities do not drop ALL"));
            }
            if !array(&sc["capabilities"]["add"]).is_empty() {
                found.push(format!("{cid}: adds capabilities"));
            }
            if sc["seccompProfile"]["type"] != json!("RuntimeDefault") {
                found.push(format!("{cid}: seccompProfile is not RuntimeDefault"));
            }
            for resource in ["cpu", "memory"] {
                let request = quantity(&c["resources"]["requests"][resource]);
                let limit = quantity(&c["resources"]["limits"][resource]);
                match (request, limit) {
                    (Some(r), Some(l)) if r > 0.0 && r <= l => {}
                    (Some(_), Some(_)) => {
                        found.push(format!("{cid}: {resource} request is 0 or above its limit"));
                    }
                    _ => found.push(format!(
                        "{cid}: {resource} request and limit are not both set"
                    )),
                }
            }
            let image = c["image"].as_str().unwrap_or_default();
            let last = image.rsplit('/').next().unwrap_or_default();
            let tag = last.split_once(':').map(|(_, t)| t);
            let pinned = image.contains("@sha256:") || tag.is_some_and(|t| t != "latest");
            if !pinned {
                found.push(format!(
                    "{cid}: image {image:?} is not pinned by tag or digest"
                ));
            }
            if !image.starts_with(&format!("{IMAGE}:")) && !image.starts_with(&format!("{IMAGE}@"))
            {
                found.push(format!("{cid}: image {image:?} is not {IMAGE}"));
            }
            let mounts = array(&c["volumeMounts"]);
            for m in mounts {
                let path = m["mountPath"].as_str().unwrap_or_default();
                let volume = volumes.get(m["name"].as_str().unwrap_or_default());
                let writable = m["readOnly"] != json!(true);
                let is_empty_dir = volume.is_some_and(|v| v["emptyDir"].is_object());
                let read_only_kind = volume.is_some_and(|v| {
                    ["secret", "configMap", "projected", "downwardAPI"]
                        .iter()
                        .any(|k| v[*k].is_object())
                });
                if writable && !is_empty_dir && !read_only_kind {
                    found.push(format!("{cid}: {path} is writable and not an emptyDir"));
                }
            }
            let tmp = mounts.iter().any(|m| {
                m["mountPath"] == json!("/tmp")
                    && volumes
                        .get(m["name"].as_str().unwrap_or_default())
                        .is_some_and(|v| v["emptyDir"].is_object())
            });
            if !tmp {
                found.push(format!("{cid}: no emptyDir at /tmp"));
            }
        }
    }
    found
}

/// Probes, termination grace, disruption budget, spread, Service and config port agreement.
fn check_deployments(overlay: &Overlay) -> Vec<String> {
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

        // Probes on that port: native gRPC health for services, HTTP for the gateway.
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
            } else if p["grpc"]["port"].as_i64() != Some(port) {
                found.push(format!(
                    "{id}: {probe} is not a gRPC health probe on {port}"
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

/// Secrets are referenced, never committed; the database and signing secret come from them
/// wherever PostgreSQL is used; migrations happen exactly once per rollout.
fn check_secrets_and_migrations(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    for s in of_kind(overlay, "Secret") {
        found.push(format!("Secret/{} is committed with its values", name(s)));
    }
    let jobs: Vec<Workload<'_>> = workloads(overlay)
        .into_iter()
        .filter(|w| w.kind == "Job")
        .collect();
    for w in servers(overlay) {
        let id = w.id();
        let svc = w.service.as_str();
        let env = environment(overlay, w.main_container());
        if setting(&env, svc, "AUTH_SECRET")
            != Some(&EnvValue::Secret {
                name: "genuine-auth".into(),
                key: "secret".into(),
            })
        {
            found.push(format!(
                "{id}: GENUINE_AUTH_SECRET is not the genuine-auth Secret's `secret`"
            ));
        }
        for (key, value) in &env {
            let sensitive = ["_SECRET", "_SIGNING_KEY", "_TOKEN", "_PASSWORD"]
                .iter()
                .any(|suffix| key.ends_with(suffix));
            if sensitive && !matches!(value, EnvValue::Secret { .. }) {
                found.push(format!("{id}: {key} is not taken from a Secret"));
            }
        }
        if svc == "enforcement"
            && !matches!(
                setting(&env, svc, "AUDIT_SIGNING_KEY"),
                Some(EnvValue::Secret { .. })
            )
        {
            found.push(format!(
                "{id}: replicas need one audit signing key, from a Secret"
            ));
        }
        let owns_database = DATABASE_OWNERS.contains(&svc);
        let database = setting(&env, svc, "DATABASE_URL");
        let migrate_on_start = literal(&env, svc, "MIGRATE_ON_START").unwrap_or("true");
        let job = jobs
            .iter()
            .find(|j| j.command == "migrate" && j.service == svc);
        match database {
            None if owns_database => found.push(format!("{id}: no DATABASE_URL")),
            None => {}
            Some(_) if !owns_database => {
                found.push(format!("{id}: has a DATABASE_URL but owns no database"))
            }
            Some(EnvValue::Secret { name, key }) => {
                let want = format!("genuine-{svc}-database");
                if *name != want || key != "url" {
                    found.push(format!("{id}: DATABASE_URL is not Secret {want} key url"));
                }
                // PostgreSQL shared by replicas: one Job migrates, servers never do.
                if migrate_on_start != "false" {
                    found.push(format!(
                        "{id}: MIGRATE_ON_START is {migrate_on_start} next to a migration Job"
                    ));
                }
                match job {
                    None => found.push(format!("{id}: no Job runs `migrate {svc}`")),
                    Some(job) => {
                        let job_env = environment(overlay, job.main_container());
                        if setting(&job_env, svc, "DATABASE_URL") != database {
                            found
                                .push(format!("{}: migrates another database than {id}", job.id()));
                        }
                        if job.main_container()["image"] != w.main_container()["image"] {
                            found.push(format!("{}: image differs from {id}'s", job.id()));
                        }
                        if job.pod()["restartPolicy"] != json!("Never") {
                            found.push(format!("{}: restartPolicy is not Never", job.id()));
                        }
                    }
                }
            }
            Some(EnvValue::Literal(url)) if url.starts_with("sqlite://") => {
                // A pod's own SQLite file: it migrates itself, nothing else can reach the file.
                if migrate_on_start != "true" {
                    found.push(format!(
                        "{id}: SQLite database but MIGRATE_ON_START is {migrate_on_start}"
                    ));
                }
                if let Some(job) = job {
                    found.push(format!("{}: cannot reach {id}'s SQLite file", job.id()));
                }
                let path = url
                    .trim_start_matches("sqlite://")
                    .split('?')
                    .next()
                    .unwrap_or_default();
                let on_empty_dir = array(&w.main_container()["volumeMounts"]).iter().any(|m| {
                    let dir = m["mountPath"].as_str().unwrap_or("/nowhere");
                    path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
                        && array(&w.pod()["volumes"])
                            .iter()
                            .any(|v| v["name"] == m["name"] && v["emptyDir"].is_object())
                });
                if !path.starts_with('/') || !on_empty_dir {
                    found.push(format!("{id}: SQLite file {path:?} is not on an emptyDir"));
                }
                let replicas = find(overlay, "Deployment", w.name).map(|d| &d["spec"]["replicas"]);
                if replicas != Some(&json!(1)) || autoscaler(overlay, w.name).is_some() {
                    found.push(format!(
                        "{id}: a SQLite file per pod needs exactly one replica"
                    ));
                }
            }
            Some(other) => {
                found.push(format!(
                    "{id}: DATABASE_URL {other:?} is neither a Secret nor a SQLite file"
                ));
            }
        }
    }
    for job in &jobs {
        if job.command != "migrate" || !DATABASE_OWNERS.contains(&job.service.as_str()) {
            found.push(format!(
                "{}: is not `migrate <service with a database>`",
                job.id()
            ));
        }
        let env = environment(overlay, job.main_container());
        if setting(&env, &job.service, "AUTH_SECRET").is_some() {
            found.push(format!(
                "{}: gets the signing secret it does not need",
                job.id()
            ));
        }
    }
    found
}

fn autoscaler<'a>(overlay: &'a Overlay, deployment: &str) -> Option<&'a Value> {
    of_kind(overlay, "HorizontalPodAutoscaler").find(|h| {
        h["spec"]["scaleTargetRef"]["kind"] == json!("Deployment")
            && h["spec"]["scaleTargetRef"]["name"] == json!(deployment)
    })
}

/// Autoscalers point at Deployments that leave `replicas` to them.
fn check_autoscalers(overlay: &Overlay) -> Vec<String> {
    let mut found = Vec::new();
    for h in of_kind(overlay, "HorizontalPodAutoscaler") {
        let target = h["spec"]["scaleTargetRef"]["name"]
            .as_str()
            .unwrap_or_default();
        match find(overlay, "Deployment", target) {
            None => found.push(format!("HorizontalPodAutoscaler/{}: targets nothing", name(h))),
            Some(d) if !d["spec"]["replicas"].is_null() => found.push(format!(
                "Deployment/{target}: sets replicas, which every apply would reset under its autoscaler"
            )),
            Some(_) => {}
        }
        let min = h["spec"]["minReplicas"].as_i64().unwrap_or(1);
        let max = h["spec"]["maxReplicas"].as_i64().unwrap_or_default();
        if min > max {
            found.push(format!(
                "HorizontalPodAutoscaler/{}: minReplicas above maxReplicas",
                name(h)
            ));
        }
        if array(&h["spec"]["metrics"]).is_empty() {
            found.push(format!("HorizontalPodAutoscaler/{}: no metrics", name(h)));
        }
    }
    found
}

fn namespace(overlay: &Overlay) -> String {
    let namespaces: BTreeSet<&str> = overlay
        .objects
        .iter()
        .filter_map(|o| o["metadata"]["namespace"].as_str())
        .collect();
    assert_eq!(
        namespaces.len(),
        1,
        "{}: objects in {namespaces:?}",
        overlay.name
    );
    namespaces.into_iter().next().expect("one").to_owned()
}

/// Everything lives in one namespace that enforces the restricted Pod Security profile.
fn check_namespace(overlay: &Overlay) -> Vec<String> {
    let ns = namespace(overlay);
    match find(overlay, "Namespace", &ns) {
        None => vec![format!("no Namespace {ns}")],
        Some(n)
            if n["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
                != json!("restricted") =>
        {
            vec![format!(
                "Namespace {ns} does not enforce the restricted Pod Security profile"
            )]
        }
        Some(_) => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy evaluation

/// A party to a connection: a pod (namespace, labels, container ports) or an address outside.
#[derive(Debug, Clone)]
struct Endpoint {
    what: String,
    namespace: Option<String>,
    namespace_labels: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    ip: Ipv4Addr,
    /// Named container ports, for policies that name ports.
    ports: BTreeMap<String, i64>,
}

fn pod(
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

fn address(what: &str, ip: Ipv4Addr) -> Endpoint {
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

fn connects(
    policies: &[&Value],
    from: &Endpoint,
    to: &Endpoint,
    port: i64,
    protocol: &str,
) -> bool {
    admitted(policies, from, to, to, "Egress", port, protocol)
        && admitted(policies, to, from, to, "Ingress", port, protocol)
}

/// The connections the diagram allows, and no others, for every workload in the namespace and
/// for a sample of parties outside it.
fn check_network_policies(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    let ns = namespace(overlay);
    let policies: Vec<&Value> = of_kind(overlay, "NetworkPolicy").collect();
    let mut next_ip = 10;
    let mut ip = || {
        next_ip += 1;
        Ipv4Addr::new(10, 244, 0, next_ip)
    };

    // The collector the overlay exports to, if any: every workload must agree.
    let endpoints: BTreeSet<Option<String>> = workloads(overlay)
        .iter()
        .map(|w| {
            match environment(overlay, w.main_container()).get("OTEL_EXPORTER_OTLP_ENDPOINT") {
                Some(EnvValue::Literal(v)) => Some(v.clone()),
                _ => None,
            }
        })
        .collect();
    if endpoints.len() > 1 {
        found.push(format!(
            "workloads disagree on OTEL_EXPORTER_OTLP_ENDPOINT: {endpoints:?}"
        ));
    }
    let collector = endpoints.into_iter().next().flatten().map(|url| {
        let authority = url
            .split_once("://")
            .map_or(url.as_str(), |(_, r)| r)
            .to_owned();
        let (host, port) = authority.rsplit_once(':').unwrap_or((&authority, "4317"));
        let namespace = host.split('.').nth(1).unwrap_or(&ns).to_owned();
        let collector_labels = BTreeMap::from([(
            "app.kubernetes.io/name".to_owned(),
            "otel-collector".to_owned(),
        )]);
        (
            pod(
                "the OTel collector",
                &namespace,
                &[],
                &collector_labels,
                Ipv4Addr::new(10, 244, 9, 1),
            ),
            port.parse::<i64>().unwrap_or(4317),
        )
    });

    // Our workloads, with their service and listening port.
    let mut ours: Vec<(Endpoint, String, bool, i64)> = Vec::new();
    for w in workloads(overlay) {
        let c = w.main_container();
        let mut endpoint = pod(&w.id(), &ns, &[], &w.labels(), ip());
        for p in array(&c["ports"]) {
            if let (Some(n), Some(number)) = (p["name"].as_str(), p["containerPort"].as_i64()) {
                endpoint.ports.insert(n.to_owned(), number);
            }
        }
        let port = endpoint
            .ports
            .get(port_name(&w.service))
            .copied()
            .unwrap_or(-1);
        ours.push((endpoint, w.service.clone(), w.kind == "Deployment", port));
    }

    let nobody = BTreeMap::new();
    let ingress_controller = pod(
        "a pod in ingress-nginx",
        "ingress-nginx",
        &[],
        &nobody,
        Ipv4Addr::new(10, 244, 7, 1),
    );
    let platform_client = pod(
        "a pod in a listing-client namespace",
        "marketplace",
        &[(LISTING_CLIENT_LABEL, "true")],
        &nobody,
        Ipv4Addr::new(10, 244, 8, 1),
    );
    let stray = pod(
        "an unlabelled pod of this namespace",
        &ns,
        &[],
        &nobody,
        ip(),
    );
    let dns_labels = BTreeMap::from([("k8s-app".to_owned(), "kube-dns".to_owned())]);
    let cluster_dns = pod(
        "cluster DNS",
        "kube-system",
        &[],
        &dns_labels,
        Ipv4Addr::new(10, 244, 6, 1),
    );
    let node_local_dns = address("a node-local DNS cache", Ipv4Addr::new(169, 254, 20, 10));
    let database = address("PostgreSQL", Ipv4Addr::new(10, 20, 0, 5));
    let internet = address("the internet", Ipv4Addr::new(203, 0, 113, 10));

    let mut expect = |from: &Endpoint, to: &Endpoint, port: i64, protocol: &str, allowed: bool| {
        if connects(&policies, from, to, port, protocol) != allowed {
            found.push(format!(
                "{} -> {} on {port}/{protocol} should be {}",
                from.what,
                to.what,
                if allowed { "allowed" } else { "denied" }
            ));
        }
    };

    for (from, from_service, from_server, _) in &ours {
        for (to, to_service, to_server, to_port) in &ours {
            if !*to_server {
                continue;
            }
            let called =
                *from_server && CALLS.contains(&(from_service.as_str(), to_service.as_str()));
            expect(from, to, *to_port, "TCP", called);
            expect(from, to, 9090, "TCP", false);
        }
        expect(from, &cluster_dns, 53, "UDP", true);
        expect(from, &cluster_dns, 53, "TCP", true);
        expect(from, &node_local_dns, 53, "UDP", true);
        expect(
            from,
            &database,
            5432,
            "TCP",
            DATABASE_OWNERS.contains(&from_service.as_str()),
        );
        expect(from, &internet, 443, "TCP", false);
        expect(from, &ingress_controller, 80, "TCP", false);
        match &collector {
            Some((collector, port)) => expect(from, collector, *port, "TCP", true),
            None => {
                let somewhere = pod(
                    "an OTel collector",
                    "observability",
                    &[],
                    &nobody,
                    Ipv4Addr::new(10, 244, 9, 1),
                );
                expect(from, &somewhere, 4317, "TCP", false);
            }
        }
    }
    for (to, to_service, to_server, to_port) in &ours {
        if !*to_server {
            continue;
        }
        let public = to_service == "gateway";
        expect(&ingress_controller, to, *to_port, "TCP", public);
        expect(&internet, to, *to_port, "TCP", public);
        // A pod of this namespace that is none of ours gets nowhere: it is isolated too.
        expect(&stray, to, *to_port, "TCP", false);
        expect(
            &platform_client,
            to,
            *to_port,
            "TCP",
            public || to_service == "listing",
        );
        if let Some((collector, _)) = &collector {
            expect(collector, to, *to_port, "TCP", public);
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Overlay-specific promises

fn check_dev(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    for w in servers(overlay) {
        let replicas = find(overlay, "Deployment", w.name).map(|d| d["spec"]["replicas"].clone());
        if replicas != Some(json!(1)) {
            found.push(format!(
                "{}: dev runs one replica, not {replicas:?}",
                w.id()
            ));
        }
        let env = environment(overlay, w.main_container());
        if DATABASE_OWNERS.contains(&w.service.as_str()) {
            let url = literal(&env, &w.service, "DATABASE_URL").unwrap_or_default();
            let want = format!("sqlite:///data/{}.db?mode=rwc", w.service);
            if url != want {
                found.push(format!("{}: dev database is {url:?}, not {want:?}", w.id()));
            }
        }
    }
    for kind in ["HorizontalPodAutoscaler", "Job"] {
        for o in of_kind(overlay, kind) {
            found.push(format!("{kind}/{}: dev has no use for it", name(o)));
        }
    }
    found
}

fn check_production(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    let ns = namespace(overlay);
    for w in servers(overlay) {
        let id = w.id();
        let svc = w.service.as_str();
        match autoscaler(overlay, w.name) {
            Some(h) if h["spec"]["minReplicas"].as_i64().unwrap_or(1) >= 2 => {}
            _ => found.push(format!(
                "{id}: production needs an autoscaler with minReplicas >= 2"
            )),
        }
        let c = w.main_container();
        let env = environment(overlay, c);
        if DATABASE_OWNERS.contains(&svc) {
            let want = EnvValue::Secret {
                name: format!("genuine-{svc}-database"),
                key: "url".into(),
            };
            if setting(&env, svc, "DATABASE_URL") != Some(&want) {
                found.push(format!(
                    "{id}: production database URL is not from genuine-{svc}-database"
                ));
            }
        }
        if !matches!(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), Some(EnvValue::Literal(url)) if url.starts_with("http"))
        {
            found.push(format!(
                "{id}: does not export OTLP (the observability component)"
            ));
        }
        if !matches!(env.get("GENUINE_LOG_FORMAT"), Some(EnvValue::Literal(f)) if f == "json") {
            found.push(format!("{id}: logs are not JSON"));
        }
        // TLS files from the Secret cert-manager fills for this service's Certificate.
        let secret_volumes: BTreeMap<&str, &str> = array(&w.pod()["volumes"])
            .iter()
            .filter_map(|v| Some((v["name"].as_str()?, v["secret"]["secretName"].as_str()?)))
            .collect();
        for key in ["TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_CA_FILE"] {
            let Some(file) = literal(&env, svc, key) else {
                found.push(format!("{id}: GENUINE_{key} is not set"));
                continue;
            };
            let secret = array(&c["volumeMounts"]).iter().find_map(|m| {
                let dir = m["mountPath"].as_str()?;
                let inside = file.strip_prefix(dir)?.starts_with('/');
                inside
                    .then(|| secret_volumes.get(m["name"].as_str()?).copied())
                    .flatten()
            });
            let Some(secret) = secret else {
                found.push(format!(
                    "{id}: GENUINE_{key}={file} is not in a mounted Secret"
                ));
                continue;
            };
            let certificate = of_kind(overlay, "Certificate")
                .find(|cert| cert["spec"]["secretName"] == json!(secret));
            let Some(certificate) = certificate else {
                found.push(format!("{id}: Secret {secret} is issued by no Certificate"));
                continue;
            };
            let names: Vec<&str> = array(&certificate["spec"]["dnsNames"])
                .iter()
                .filter_map(Value::as_str)
                .collect();
            for wanted in [svc.to_owned(), format!("{svc}.{ns}.svc")] {
                if !names.contains(&wanted.as_str()) {
                    found.push(format!(
                        "Certificate/{}: no DNS name {wanted}",
                        name(certificate)
                    ));
                }
            }
            let usages = &certificate["spec"]["usages"];
            for usage in ["server auth", "client auth"] {
                if !array(usages).contains(&json!(usage)) {
                    found.push(format!(
                        "Certificate/{}: not for {usage}",
                        name(certificate)
                    ));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The image the manifests deploy is the version this tree builds.
fn check_image_version(overlay: &Overlay) -> Vec<String> {
    let want = format!("{IMAGE}:{}", env!("CARGO_PKG_VERSION"));
    workloads(overlay)
        .iter()
        .flat_map(|w| {
            w.containers()
                .map(move |c| (w.id(), c["image"].as_str().unwrap_or_default().to_owned()))
        })
        .filter(|(_, image)| *image != want)
        .map(|(id, image)| format!("{id}: runs {image}, the workspace builds {want}"))
        .collect()
}

/// Every setting the manifests give is documented (README or docs/operations.md), and so is
/// every Secret they expect.
fn check_documented(overlay: &Overlay) -> Vec<String> {
    let root = repo_root();
    let docs = ["README.md", "docs/operations.md"]
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut keys = BTreeSet::new();
    let mut secrets = BTreeSet::new();
    for w in workloads(overlay) {
        for c in w.containers() {
            for (key, value) in environment(overlay, c) {
                keys.insert(key);
                if let EnvValue::Secret { name, .. } = value {
                    secrets.insert(name);
                }
            }
        }
    }
    let mut found = Vec::new();
    for key in keys {
        let general = SERVICES.iter().fold(key.clone(), |k, s| {
            k.replace(
                &format!("GENUINE_{}_", s.to_ascii_uppercase()),
                "GENUINE_<SVC>_",
            )
        });
        let bare = general.replace("GENUINE_<SVC>_", "GENUINE_");
        if ![&key, &general, &bare]
            .iter()
            .any(|k| docs.contains(&format!("`{k}`")))
        {
            found.push(format!(
                "{key} is set but documented in neither README.md nor docs/operations.md"
            ));
        }
    }
    for secret in secrets {
        if !docs.contains(&secret) {
            found.push(format!(
                "Secret {secret} is expected but docs/operations.md does not say how to create it"
            ));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile

/// One instruction: keyword and arguments, continuation lines joined.
fn dockerfile_instructions(text: &str) -> Vec<(String, String)> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        if let Some(body) = trimmed.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        instructions.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    instructions
}

struct Stage {
    base: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn dockerfile_stages(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (keyword, args) in dockerfile_instructions(text) {
        if keyword == "FROM" {
            let words: Vec<&str> = args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                _ => None,
            };
            stages.push(Stage {
                base: words.first().copied().unwrap_or_default().to_owned(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push((keyword, args));
        }
    }
    stages
}

fn check_dockerfile(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let stages = dockerfile_stages(text);
    if stages.len() < 2 {
        return vec![format!(
            "{} stage(s): not a multi-stage build",
            stages.len()
        )];
    }
    let names: BTreeSet<&str> = stages.iter().filter_map(|s| s.name.as_deref()).collect();
    for stage in &stages {
        let base = stage.base.as_str();
        let is_stage = names.contains(base);
        let last = base.rsplit('/').next().unwrap_or_default();
        let pinned = base == "scratch"
            || base.contains("@sha256:")
            || last.split_once(':').is_some_and(|(_, t)| t != "latest");
        if !is_stage && !pinned {
            found.push(format!("FROM {base}: not pinned by tag or digest"));
        }
    }
    let last = stages.last().expect("two or more");
    let distroless = last.base.starts_with("gcr.io/distroless/") || last.base == "scratch";
    if !distroless {
        found.push(format!(
            "final stage FROM {}: neither distroless nor scratch",
            last.base
        ));
    }
    if last.base.starts_with("gcr.io/distroless/") && last.base.contains(":debug") {
        found.push("final stage is a distroless :debug image, which has a shell".into());
    }
    let of = |k: &'static str| {
        last.instructions
            .iter()
            .filter(move |(keyword, _)| keyword == k)
            .map(|(_, a)| a.as_str())
    };
    if of("RUN").next().is_some() {
        found.push("final stage RUNs a command, which needs a shell".into());
    }
    match of("USER").next_back() {
        None => found.push("final stage sets no USER: it would run as root".into()),
        Some(user) => {
            let uid = user.split(':').next().unwrap_or_default();
            if uid != NONROOT_UID.to_string() {
                found.push(format!("final stage USER {user}: not {NONROOT_UID} (numeric, so runAsNonRoot can verify it)"));
            }
        }
    }
    match of("ENTRYPOINT").next_back() {
        None => found.push("final stage has no ENTRYPOINT".into()),
        Some(entrypoint) => match serde_json::from_str::<Vec<String>>(entrypoint) {
            Err(_) => found.push(format!(
                "ENTRYPOINT {entrypoint}: shell form (needs /bin/sh)"
            )),
            Ok(argv) if argv != ["/genuine"] => {
                found.push(format!("ENTRYPOINT {argv:?}: not [\"/genuine\"]"))
            }
            Ok(_) => {}
        },
    }
    for cmd in of("CMD") {
        if serde_json::from_str::<Vec<String>>(cmd).is_err() {
            found.push(format!("CMD {cmd}: shell form (needs /bin/sh)"));
        }
    }
    let copies_binary = of("COPY").any(|args| {
        args.split_whitespace()
            .any(|w| w.strip_prefix("--from=").is_some_and(|s| names.contains(s)))
            && args.split_whitespace().last() == Some("/genuine")
    });
    if !copies_binary {
        found.push("final stage does not COPY /genuine from a build stage".into());
    }
    // Dependencies are built in a layer of their own, before the sources are copied in.
    let builder = stages.iter().find(|s| {
        s.instructions
            .iter()
            .any(|(k, a)| k == "RUN" && a.contains("cargo build"))
    });
    match builder {
        None => found.push("no stage runs `cargo build`".into()),
        Some(builder) => {
            let position = |pred: &dyn Fn(&str, &str) -> bool| {
                builder.instructions.iter().position(|(k, a)| pred(k, a))
            };
            let cook = position(&|k, a| k == "RUN" && a.contains("cargo chef cook"));
            let sources = position(&|k, a| k == "COPY" && a.split_whitespace().next() == Some("."));
            let build = position(&|k, a| k == "RUN" && a.contains("cargo build"));
            if !matches!((cook, sources, build), (Some(c), Some(s), Some(b)) if c < s && s < b) {
                found.push("no cached dependency layer: `cargo chef cook` must run before the sources are copied and built".into());
            }
            if let Some(b) = build {
                let args = &builder.instructions[b].1;
                for flag in ["--release", "--locked", "-p genuine"] {
                    if !args.contains(flag) {
                        found.push(format!("`cargo build` without {flag}"));
                    }
                }
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn both_overlays_render() {
    for name in ["dev", "production"] {
        let o = overlay(name);
        assert!(
            o.objects.len() > 20,
            "{name} renders only {} objects",
            o.objects.len()
        );
        assert!(preflight(o).is_empty(), "{name}: {:?}", preflight(o));
    }
}

#[test]
fn pods_are_hardened_and_pinned() {
    assert_all(check_hardening);
}

#[test]
fn deployments_probe_drain_spread_and_agree_on_ports() {
    assert_all(check_deployments);
}

#[test]
fn peers_are_reached_by_their_service_names() {
    assert_all(check_peer_urls);
}

#[test]
fn secrets_are_referenced_and_migrations_run_once() {
    assert_all(check_secrets_and_migrations);
}

#[test]
fn autoscalers_own_the_replica_count() {
    assert_all(check_autoscalers);
}

#[test]
fn one_restricted_namespace() {
    assert_all(check_namespace);
}

#[test]
fn network_policies_admit_exactly_the_diagrams_callers() {
    assert_all(check_network_policies);
}

#[test]
fn images_are_the_workspace_version() {
    assert_all(check_image_version);
}

#[test]
fn every_setting_and_secret_is_documented() {
    assert_all(check_documented);
}

#[test]
fn dev_is_one_replica_on_sqlite() {
    let found = check_dev(overlay("dev"));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn production_is_replicated_on_postgres_with_tls_and_telemetry() {
    let found = check_production(overlay("production"));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn dockerfile_is_multi_stage_distroless_nonroot_without_shell() {
    let path = repo_root().join("services/genuine/Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = check_dockerfile(&text);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let ignore = repo_root().join("services/genuine/Dockerfile.dockerignore");
    let ignore = std::fs::read_to_string(&ignore).unwrap_or_default();
    assert!(
        ignore.lines().any(|l| l.trim() == "**/target"),
        "Dockerfile.dockerignore must keep target/ out of the build context"
    );
}

// ---------------------------------------------------------------------------------------------
// The checks can fail: break things on purpose and see each one noticed.

fn mutate(base: &Overlay, change: impl Fn(&mut Vec<Value>)) -> Overlay {
    let mut broken = base.clone();
    change(&mut broken.objects);
    broken
}

fn object_mut<'a>(objects: &'a mut [Value], k: &str, n: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|o| kind(o) == k && name(o) == n)
        .unwrap_or_else(|| panic!("{k}/{n}"))
}

fn assert_caught(found: &[String], expected: &str) {
    assert!(
        found.iter().any(|f| f.contains(expected)),
        "expected a violation containing {expected:?}, got {found:#?}"
    );
}

#[test]
fn mutations_are_caught() {
    let production = overlay("production");
    let dev = overlay("dev");

    let broken = mutate(production, |objects| {
        let d = object_mut(objects, "Deployment", "listing");
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["image"] = json!("ghcr.io/genuine-project/genuine:latest");
        c["securityContext"]["readOnlyRootFilesystem"] = json!(false);
        c["resources"]["limits"] = json!({});
        d["spec"]["template"]["spec"]["securityContext"]["runAsUser"] = json!(0);
    });
    let found = check_hardening(&broken);
    assert_caught(&found, "not pinned");
    assert_caught(&found, "readOnlyRootFilesystem");
    assert_caught(&found, "cpu request and limit");
    assert_caught(&found, "runAsUser");

    let broken = mutate(production, |objects| {
        let d = object_mut(objects, "Deployment", "reputation");
        let spec = &mut d["spec"]["template"]["spec"];
        spec["terminationGracePeriodSeconds"] = json!(20);
        spec["containers"][0]["readinessProbe"] = Value::Null;
        spec["containers"][0]["ports"][0]["containerPort"] = json!(50099);
        objects.retain(|o| !(kind(o) == "PodDisruptionBudget" && name(o) == "reputation"));
        objects.retain(|o| !(kind(o) == "NetworkPolicy" && name(o) == "reputation"));
    });
    let found = check_deployments(&broken);
    assert_caught(&found, "terminationGracePeriodSeconds 20");
    assert_caught(&found, "no readinessProbe");
    assert_caught(&found, "LISTEN_ADDR says 50052");
    assert_caught(&found, "no PodDisruptionBudget");
    assert_caught(&found, "no NetworkPolicy of its own");

    // No policies: everything talks to everything.
    let broken = mutate(production, |objects| {
        objects.retain(|o| kind(o) != "NetworkPolicy");
    });
    let found = check_network_policies(&broken);
    assert_caught(
        &found,
        "Deployment/listing -> Deployment/gateway on 8080/TCP should be denied",
    );
    assert_caught(
        &found,
        "the internet -> Deployment/listing on 50051/TCP should be denied",
    );
    // One edge too many: reputation may not call enforcement.
    let broken = mutate(production, |objects| {
        let p = object_mut(objects, "NetworkPolicy", "enforcement");
        p["spec"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"] =
            json!(["gateway", "listing", "reputation"]);
        let p = object_mut(objects, "NetworkPolicy", "reputation");
        p["spec"]["egress"]
            .as_array_mut()
            .expect("egress")
            .push(json!({"to": [{"podSelector": {}}], "ports": [{"port": 50053}]}));
    });
    assert_caught(
        &check_network_policies(&broken),
        "Deployment/reputation -> Deployment/enforcement on 50053/TCP should be denied",
    );

    let broken = mutate(production, |objects| {
        objects.retain(|o| !(kind(o) == "Job" && name(o) == "enforcement-migrate"));
        objects.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "genuine-auth", "namespace": "genuine"}, "stringData": {"secret": "x"}}));
    });
    let found = check_secrets_and_migrations(&broken);
    assert_caught(&found, "no Job runs `migrate enforcement`");
    assert_caught(&found, "Secret/genuine-auth is committed");

    let broken = mutate(dev, |objects| {
        let d = object_mut(objects, "Deployment", "listing");
        d["spec"]["replicas"] = json!(3);
    });
    assert_caught(
        &check_secrets_and_migrations(&broken),
        "exactly one replica",
    );
    assert_caught(&check_dev(&broken), "one replica");

    let broken = mutate(production, |objects| {
        objects.retain(|o| kind(o) != "Certificate");
        let h = object_mut(objects, "HorizontalPodAutoscaler", "gateway");
        h["spec"]["minReplicas"] = json!(1);
    });
    let found = check_production(&broken);
    assert_caught(&found, "issued by no Certificate");
    assert_caught(&found, "minReplicas >= 2");

    let dockerfile =
        "FROM rust:latest\nRUN cargo build --release\nCMD /genuine serve\nENTRYPOINT /genuine\n";
    let found = check_dockerfile(dockerfile);
    assert_caught(&found, "not a multi-stage build");
    let dockerfile = "FROM rust:1.95 AS build\nCOPY . .\nRUN cargo build --release -p genuine\n\
                      FROM debian:12\nCOPY --from=build /src/target/release/genuine /genuine\n\
                      ENTRYPOINT /genuine\n";
    let found = check_dockerfile(dockerfile);
    assert_caught(&found, "neither distroless nor scratch");
    assert_caught(&found, "sets no USER");
    assert_caught(&found, "shell form");
    assert_caught(&found, "no cached dependency layer");
    assert_caught(&found, "without --locked");
}
