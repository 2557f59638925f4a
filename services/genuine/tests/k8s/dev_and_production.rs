//! What each overlay promises of its own: dev is one replica per service on SQLite; production
//! is replicated on PostgreSQL, with TLS from cert-manager, JSON logs and OTLP export.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::autoscalers::autoscaler;
use crate::objects::{array, find, name, namespace, of_kind};
use crate::render::{Overlay, overlay, overlays};
use crate::suite::DATABASE_OWNERS;
use crate::workloads::{EnvValue, environment, literal, preflight, servers, setting};

pub fn check_dev(overlay: &Overlay) -> Vec<String> {
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

pub fn check_production(overlay: &Overlay) -> Vec<String> {
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

#[test]
fn dev_is_one_replica_on_sqlite() {
    let Some(overlays) = overlays() else { return };
    let found = check_dev(overlay(overlays, "dev"));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn production_is_replicated_on_postgres_with_tls_and_telemetry() {
    let Some(overlays) = overlays() else { return };
    let found = check_production(overlay(overlays, "production"));
    assert!(found.is_empty(), "{}", found.join("\n"));
}
