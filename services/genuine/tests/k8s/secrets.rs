//! Secrets are referenced, never committed, and migrations run exactly once per rollout: by a
//! Job next to PostgreSQL, by the one pod that owns a SQLite file.

use serde_json::json;

use crate::autoscalers::autoscaler;
use crate::objects::{array, find, name, of_kind};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::DATABASE_OWNERS;
use crate::workloads::{
    EnvValue, Workload, environment, literal, preflight, servers, setting, workloads,
};

/// Secrets are referenced, never committed; the database and signing secret come from them
/// wherever PostgreSQL is used; migrations happen exactly once per rollout.
pub fn check_secrets_and_migrations(overlay: &Overlay) -> Vec<String> {
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

#[test]
fn secrets_are_referenced_and_migrations_run_once() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_secrets_and_migrations);
}
