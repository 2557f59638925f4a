//! Small readers of rendered objects: kinds, names, labels, selectors, quantities, and the
//! overlay's namespace.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::render::Overlay;

pub fn kind(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or_default()
}

pub fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}

pub fn of_kind<'a>(overlay: &'a Overlay, k: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    overlay.objects.iter().filter(move |o| kind(o) == k)
}

pub fn find<'a>(overlay: &'a Overlay, k: &str, n: &str) -> Option<&'a Value> {
    overlay
        .objects
        .iter()
        .find(|o| kind(o) == k && name(o) == n)
}

pub fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

pub fn labels(v: &Value) -> BTreeMap<String, String> {
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
pub fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
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
pub fn selects_map(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    selector.as_object().is_some_and(|m| {
        !m.is_empty()
            && m.iter()
                .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    })
}

/// Kubernetes quantities (`500m`, `1`, `256Mi`, `2Gi`) as numbers.
pub fn quantity(v: &Value) -> Option<f64> {
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

pub fn namespace(overlay: &Overlay) -> String {
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
