//! Rendering: every overlay under `k8s/overlays/` as `kubectl kustomize` prints it, once per
//! test binary, behind the gate for tests that need kubectl.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::workloads::preflight;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One overlay as kustomize renders it.
#[derive(Clone)]
pub struct Overlay {
    pub name: String,
    pub objects: Vec<Value>,
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

/// Every overlay, rendered once per test binary, or `None` where tests needing kubectl are not
/// run (`genuine_runtime::testing`). Every test that reads the overlays calls this first and
/// returns on `None`; with the gate on, a missing kubectl fails the test.
pub fn overlays() -> Option<&'static [Overlay]> {
    if !genuine_runtime::testing::tool_tests_enabled("kubectl") {
        return None;
    }
    static OVERLAYS: OnceLock<Vec<Overlay>> = OnceLock::new();
    let rendered = OVERLAYS.get_or_init(|| {
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
    });
    Some(rendered)
}

/// The overlay of that name among `overlays`.
pub fn overlay<'a>(overlays: &'a [Overlay], name: &str) -> &'a Overlay {
    overlays
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("k8s/overlays/{name} is missing"))
}

/// Runs `check` on every overlay and fails with every violation found.
pub fn assert_all(overlays: &[Overlay], check: fn(&Overlay) -> Vec<String>) {
    let found: Vec<String> = overlays
        .iter()
        .flat_map(|o| check(o).into_iter().map(|v| format!("{}: {v}", o.name)))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn both_overlays_render() {
    let Some(overlays) = overlays() else { return };
    for name in ["dev", "production"] {
        let o = overlay(overlays, name);
        assert!(
            o.objects.len() > 20,
            "{name} renders only {} objects",
            o.objects.len()
        );
        assert!(preflight(o).is_empty(), "{name}: {:?}", preflight(o));
    }
}
