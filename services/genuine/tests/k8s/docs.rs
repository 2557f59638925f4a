//! Every setting the manifests give, and every Secret they expect, is documented in README.md
//! or docs/operations.md.

use std::collections::BTreeSet;

use crate::render::{Overlay, assert_all, overlays, repo_root};
use crate::suite::SERVICES;
use crate::workloads::{EnvValue, environment, workloads};

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

#[test]
fn every_setting_and_secret_is_documented() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_documented);
}
