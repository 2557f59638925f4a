//! HorizontalPodAutoscalers target Deployments that leave the replica count to them.

use serde_json::{Value, json};

use crate::objects::{array, find, name, of_kind};
use crate::render::{Overlay, assert_all, overlays};

pub fn autoscaler<'a>(overlay: &'a Overlay, deployment: &str) -> Option<&'a Value> {
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

#[test]
fn autoscalers_own_the_replica_count() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_autoscalers);
}
