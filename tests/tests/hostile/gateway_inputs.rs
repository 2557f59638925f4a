//! Every route of the gateway's OpenAPI document, fed mutated and random requests: hostile
//! path parameters, query strings, JSON bodies (a field of a valid body replaced, removed or
//! added; random JSON; invalid UTF-8) and content types; then the targeted ones: 10,000 nested
//! arrays, a body far above the limit, a lying Content-Length. Never a 5xx fault; every 400 and
//! 422 is problem+json naming a field.

use std::sync::{Arc, Mutex};

use genuine_suite_tests::gateway::Gateway;
use proptest::prelude::*;
use proptest::test_runner::TestError;
use serde_json::{Value, json};
use tokio::runtime::Handle;

use crate::grpc_inputs::{cases, runner};
use crate::http::{self, Reply};
use crate::setup::World;

/// One operation of the document.
#[derive(Debug, Clone)]
struct Route {
    method: String,
    template: String,
    /// (name, `path` or `query`, schema)
    params: Vec<(String, String, Value)>,
    /// The JSON body's schema, references resolved.
    body: Option<Value>,
}

fn routes(doc: &Value) -> Vec<Route> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let params = operation["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().expect("name").to_owned(),
                                p["in"].as_str().expect("in").to_owned(),
                                resolve(doc, &p["schema"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = operation["requestBody"]["content"]["application/json"]
                .get("schema")
                .map(|s| resolve(doc, s));
            out.push(Route {
                method: method.to_ascii_uppercase(),
                template: template.clone(),
                params,
                body,
            });
        }
    }
    out
}

/// `schema` with `$ref`s replaced by what they point at (the DTOs are not recursive).
fn resolve(doc: &Value, schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let name = target.rsplit('/').next().unwrap_or_default();
                return resolve(doc, &doc["components"]["schemas"][name]);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(doc, v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(doc, v)).collect()),
        other => other.clone(),
    }
}

/// A value the schema accepts; `name` hints at ids that exist.
fn valid(schema: &Value, name: &str, world: &World) -> Value {
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|a| a.first()) {
            return valid(first, name, world);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|a| a.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .and_then(Value::as_str)
            .unwrap_or("string"),
        Value::String(t) => t.as_str(),
        _ if schema["properties"].is_object() => "object",
        _ => "string",
    };
    match kind {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (prop, s) in props {
                    out.insert(prop.clone(), valid(s, prop, world));
                }
            }
            Value::Object(out)
        }
        "array" => json!([valid(&schema["items"], name.trim_end_matches('s'), world)]),
        "integer" => schema["minimum"]
            .as_i64()
            .map_or(json!(1), |m| json!(m.max(1))),
        "number" => json!(1.0),
        "boolean" => json!(true),
        _ if schema["format"] == "date-time" => {
            json!((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339())
        }
        _ if name.to_ascii_lowercase().contains("email") => json!("officer@example.com"),
        _ => match id_for(name, world) {
            Some(id) => json!(id),
            None => json!("A plausible value"),
        },
    }
}

/// An id of the suite's data for a camelCase member or path segment (`listingId`, `sellers`).
fn id_for(hint: &str, world: &World) -> Option<String> {
    let hint = hint.to_ascii_lowercase();
    let pool = ["seller", "listing", "case", "notice", "brand"]
        .into_iter()
        .find(|kind| hint.starts_with(kind))?;
    world
        .pools
        .ids
        .get(format!("{pool}_id").as_str())?
        .first()
        .cloned()
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn hostile_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(-1)),
        Just(json!(18_446_744_073_709_551_615_u64)),
        Just(json!(1e308)),
        Just(json!("")),
        Just(json!("\u{0}")),
        Just(json!("x".repeat(70_000))),
        Just(json!("2100-01-01T00:00:00Z")),
        Just(json!("9999-12-31T23:59:59Z")),
        Just(json!("not a date")),
        Just(json!("NOT_A_VALUE")),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn hostile_param() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        Just("%00".to_owned()),
        Just("%FF%FE".to_owned()),
        Just("..%2F..%2Fetc%2Fpasswd".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("2147483648".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e3".to_owned()),
        Just("x".repeat(4_000)),
        Just("%E2%80%AE%F0%9F%A6%80".to_owned()),
        any::<String>().prop_map(|s| encode(&s)),
    ]
    .boxed()
}

/// What goes on the wire.
#[derive(Debug, Clone)]
struct Parts {
    target: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Which part of a valid request is made hostile.
#[derive(Debug, Clone)]
enum Mutation {
    Param(usize, String),
    Field(usize, Option<Value>),
    UnknownField(Value),
    UnknownQuery(String),
    Body(Vec<u8>),
    ContentType(String),
}

fn mutation(route: &Route, members: usize) -> BoxedStrategy<Mutation> {
    let mut options: Vec<BoxedStrategy<Mutation>> =
        vec![hostile_param().prop_map(Mutation::UnknownQuery).boxed()];
    if !route.params.is_empty() {
        options.push(
            (0..route.params.len(), hostile_param())
                .prop_map(|(i, v)| Mutation::Param(i, v))
                .boxed(),
        );
    }
    if route.body.is_some() || route.method == "POST" {
        options.push(
            prop_oneof![
                hostile_json().prop_map(|v| serde_json::to_vec(&v).expect("json")),
                proptest::collection::vec(any::<u8>(), 0..256),
                Just(b"{\"explanation\": \"\xff\xfe invalid UTF-8\"}".to_vec()),
            ]
            .prop_map(Mutation::Body)
            .boxed(),
        );
        options.push(hostile_json().prop_map(Mutation::UnknownField).boxed());
        options.push(
            prop_oneof![
                Just("text/plain"),
                Just("application/xml"),
                Just("application/x-www-form-urlencoded"),
                Just("multipart/form-data; boundary=x"),
                Just("application/json; charset=latin1"),
                Just(""),
            ]
            .prop_map(|c| Mutation::ContentType(c.to_owned()))
            .boxed(),
        );
    }
    if members > 0 {
        options.push(
            (0..members, proptest::option::weighted(0.8, hostile_json()))
                .prop_map(|(i, v)| Mutation::Field(i, v))
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

/// The valid request for `route` with `mutation` applied.
fn build(route: &Route, world: &World, mutation: &Mutation) -> Parts {
    let mut path = route.template.clone();
    let mut query = Vec::new();
    for (i, (name, location, schema)) in route.params.iter().enumerate() {
        let value = match mutation {
            Mutation::Param(j, hostile) if *j == i => hostile.clone(),
            _ => {
                let hint = if location == "path" {
                    route
                        .template
                        .trim_start_matches("/v1/")
                        .split('/')
                        .next()
                        .unwrap_or(name)
                } else {
                    name.as_str()
                };
                match valid(schema, hint, world) {
                    Value::String(s) => encode(&s),
                    other => encode(&other.to_string()),
                }
            }
        };
        if location == "path" {
            path = path.replace(&format!("{{{name}}}"), &value);
        } else {
            query.push(format!("{name}={value}"));
        }
    }
    if let Mutation::UnknownQuery(value) = mutation {
        query.push(format!("bogus={value}"));
    }
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let mut body = route
        .body
        .as_ref()
        .map(|schema| valid(schema, "", world))
        .unwrap_or(Value::Null);
    match mutation {
        Mutation::Field(i, replacement) => {
            if let Some(members) = body.as_object_mut() {
                let key = members.keys().nth(*i).cloned();
                if let Some(key) = key {
                    match replacement {
                        Some(value) => members.insert(key, value.clone()),
                        None => members.remove(&key),
                    };
                }
            }
        }
        Mutation::UnknownField(value) => {
            if let Some(members) = body.as_object_mut() {
                members.insert("unexpectedMember".to_owned(), value.clone());
            }
        }
        _ => {}
    }
    let (content_type, body) = match mutation {
        Mutation::Body(bytes) => (Some("application/json".to_owned()), bytes.clone()),
        Mutation::ContentType(c) => (Some(c.clone()), serde_json::to_vec(&body).expect("json")),
        _ if route.body.is_some() => (
            Some("application/json".to_owned()),
            serde_json::to_vec(&body).expect("json"),
        ),
        _ => (None, Vec::new()),
    };
    Parts {
        target,
        content_type,
        body,
    }
}

async fn send(gateway: &Gateway, token: &str, route: &Route, parts: &Parts) -> Reply {
    let raw = http::request(
        &route.method,
        &parts.target,
        Some(token),
        parts.content_type.as_deref(),
        &parts.body,
    );
    http::exchange(gateway.addr(), &raw).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gateway_route_survives_mutated_and_random_requests() {
    let world = Arc::new(World::start().await);
    let gateway = Arc::new(Gateway::start(&world.suite).await);
    let doc = serde_json::to_value(genuine_gateway::routes::openapi()).expect("document");
    let routes = routes(&doc);
    assert!(
        routes.len() >= 10,
        "only {} routes in the document",
        routes.len()
    );
    let token = world.suite.portal_token("hostile-regulator", "DE");
    let panics = crate::panics::count();
    let handle = Handle::current();
    let failures = tokio::task::spawn_blocking({
        let (world, gateway) = (Arc::clone(&world), Arc::clone(&gateway));
        move || {
            let failures = Mutex::new(Vec::new());
            let statuses = Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
            for route in &routes {
                let members = route
                    .body
                    .as_ref()
                    .map(|s| valid(s, "", &world))
                    .and_then(|b| b.as_object().map(serde_json::Map::len))
                    .unwrap_or(0);
                let result = runner(cases()).run(&mutation(route, members), |m| {
                    let parts = build(route, &world, &m);
                    let reply = handle.block_on(send(&gateway, &token, route, &parts));
                    *statuses
                        .lock()
                        .expect("lock")
                        .entry(reply.status)
                        .or_default() += 1;
                    http::judge(&reply).map_err(TestCaseError::fail)
                });
                if let Err(error) = result {
                    let line = match error {
                        TestError::Fail(reason, m) => {
                            let parts = build(route, &world, &m);
                            format!(
                                "{} {}: {reason}; request {} {:.200}",
                                route.method,
                                route.template,
                                parts.target.chars().take(200).collect::<String>(),
                                String::from_utf8_lossy(&parts.body)
                            )
                        }
                        TestError::Abort(reason) => {
                            format!("{} {}: {reason}", route.method, route.template)
                        }
                    };
                    failures.lock().expect("lock").push(line);
                }
            }
            println!(
                "hostile HTTP: {} routes x {} cases; statuses {:?}",
                routes.len(),
                cases(),
                statuses.into_inner().expect("lock")
            );
            failures.into_inner().expect("lock")
        }
    })
    .await
    .expect("the property run finishes");
    assert_eq!(
        crate::panics::count(),
        panics,
        "the gateway or a service panicked"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        gateway.get("/readyz", None).await.status,
        200,
        "still ready"
    );
}

/// A body the gateway must refuse, and with which status.
struct BadBody {
    what: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_huge_and_lying_bodies_are_refused_with_problem_details() {
    let world = World::start().await;
    let gateway = Gateway::start(&world.suite).await;
    let token = world.suite.portal_token("hostile-regulator", "DE");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!(
        "{{\"explanation\":{}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let huge = format!("{{\"explanation\":\"{}\"}}", "x".repeat(8 * 1024 * 1024));
    let cases = vec![
        BadBody {
            what: "10,000 nested arrays",
            path: "/v1/notices",
            content_type: Some("application/json"),
            body: deep.into_bytes(),
            status: 400,
        },
        BadBody {
            what: "10,000 nested arrays in a member",
            path: "/v1/notices",
            content_type: Some("application/json"),
            body: deep_object.into_bytes(),
            status: 400,
        },
        BadBody {
            what: "8 MiB body",
            path: "/v1/notices",
            content_type: Some("application/json"),
            body: huge.into_bytes(),
            status: 413,
        },
        BadBody {
            what: "invalid UTF-8",
            path: "/v1/notices",
            content_type: Some("application/json"),
            body: b"{\"explanation\":\"\xc3\x28\"}".to_vec(),
            status: 400,
        },
        BadBody {
            what: "text/plain",
            path: "/v1/notices",
            content_type: Some("text/plain"),
            body: b"{}".to_vec(),
            status: 415,
        },
        BadBody {
            what: "no content type",
            path: "/v1/sellers/x/inspections",
            content_type: None,
            body: b"{}".to_vec(),
            status: 415,
        },
        BadBody {
            what: "an array body",
            path: "/v1/audit/verify",
            content_type: Some("application/json"),
            body: b"[1,2]".to_vec(),
            status: 400,
        },
        BadBody {
            what: "a number larger than u64",
            path: "/v1/audit/verify",
            content_type: Some("application/json"),
            body: b"{\"fromIndex\":184467440737095516160}".to_vec(),
            status: 400,
        },
    ];
    for BadBody {
        what,
        path,
        content_type,
        body,
        status,
    } in cases
    {
        let raw = http::request("POST", path, Some(&token), content_type, &body);
        let reply = http::exchange(gateway.addr(), &raw).await;
        assert_eq!(reply.status, status, "{what}: {reply:?}");
        assert_eq!(
            reply.content_type, "application/problem+json",
            "{what}: {reply:?}"
        );
        http::judge(&reply).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    // A Content-Length promising more than is sent, then the connection closed: the server
    // gives up on the request without a fault and keeps serving.
    let mut raw = http::request(
        "POST",
        "/v1/notices",
        Some(&token),
        Some("application/json"),
        b"",
    );
    let text = String::from_utf8(raw.clone()).expect("ascii head");
    raw = text
        .replace("Content-Length: 0", "Content-Length: 1000")
        .into_bytes();
    raw.extend_from_slice(b"{\"expl");
    let reply = http::exchange_and_hang_up(gateway.addr(), &raw).await;
    assert!(
        reply.status == 0 || (400..500).contains(&reply.status),
        "{reply:?}"
    );
    assert_eq!(
        gateway.get("/readyz", None).await.status,
        200,
        "still ready"
    );
}
