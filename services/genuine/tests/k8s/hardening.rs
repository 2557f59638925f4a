//! Every pod template (servers and Jobs) is hardened: restricted security context, requests and
//! limits, no ServiceAccount token, writable paths only on emptyDirs, and the workspace's image
//! pinned by its version.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::objects::{array, find, name, quantity};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::{IMAGE, NONROOT_UID};
use crate::workloads::{preflight, workloads};

/// Restricted security context, resources, pinned image, no token, writable paths only on
/// emptyDirs, for every pod template (servers and Jobs).
pub fn check_hardening(overlay: &Overlay) -> Vec<String> {
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

#[test]
fn pods_are_hardened_and_pinned() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_hardening);
}

#[test]
fn images_are_the_workspace_version() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_image_version);
}
