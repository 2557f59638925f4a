//! Everything lives in one namespace, which enforces the restricted Pod Security profile.

use serde_json::json;

use crate::objects::{find, namespace};
use crate::render::{Overlay, assert_all, overlays};

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

#[test]
fn one_restricted_namespace() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_namespace);
}
