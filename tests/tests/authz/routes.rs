//! The gateway half of the matrix, one row per route of the gateway's own OpenAPI document (a
//! route the document has and the table lacks fails, and the other way round; so does a row
//! whose scope differs from the document's). Each route is called
//! - with every bad token and a non-Bearer header: 401;
//! - with tokens the gateway must refuse — each other role, a regulator holding another role
//!   too, a regulator without jurisdiction, a regulator with every scope but the route's: 403;
//! - with the portal tokens it accepts — every scope, the route's scope alone, the jurisdiction
//!   in lower case: 2xx on the caller's own data;
//! - as the DE regulator on FR data: what the row's `Across` declares.

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_runtime::auth::{Role, TokenRequest};
use genuine_suite_tests::authed;
use serde_json::{Value, json};

use crate::bad_tokens::bad_tokens;
use crate::world::{Across, Side, World};

struct Route {
    method: &'static str,
    template: &'static str,
    /// The scope it needs; `None`: public.
    scope: Option<&'static str>,
    /// The request about a side's data: path and JSON body.
    request: fn(&Side) -> (String, Option<Value>),
    across: Across,
    /// For lists: the id of a side's data that shows it is in the answer.
    marker: Option<fn(&Side) -> String>,
}

/// One call of a route: who calls, with which token and headers, and the status wanted (200:
/// any 2xx).
struct Call {
    who: String,
    token: Option<String>,
    headers: Vec<(&'static str, &'static str)>,
    wanted: u16,
}

impl Call {
    fn new(who: &str, token: Option<String>, wanted: u16) -> Self {
        Self {
            who: who.to_owned(),
            token,
            headers: Vec::new(),
            wanted,
        }
    }
}

const EVERY_SCOPE: [&str; 8] = [
    "cases:read",
    "notices:write",
    "notices:read",
    "traders:read",
    "inspections:write",
    "statements:read",
    "reports:read",
    "audit:read",
];

fn get(path: String) -> (String, Option<Value>) {
    (path, None)
}

#[allow(clippy::too_many_lines)] // one row per route, kept together as the declared table
fn table() -> Vec<Route> {
    const PUBLISHED: &str =
        "statements of reasons are published (DSA Art. 24(5)) and hold no personal data";
    const ONE_LOG: &str = "one audit log for all jurisdictions, so that any regulator can verify all of it; entries hold ids and digests";
    vec![
        Route {
            method: "GET",
            template: "/v1/cases",
            scope: Some("cases:read"),
            request: |_| get("/v1/cases?page_size=100".into()),
            across: Across::Filtered,
            marker: Some(|s| s.case_id.clone()),
        },
        Route {
            method: "GET",
            template: "/v1/cases/{id}",
            scope: Some("cases:read"),
            request: |s| get(format!("/v1/cases/{}", s.case_id)),
            across: Across::Hidden,
            marker: None,
        },
        Route {
            method: "POST",
            template: "/v1/notices",
            scope: Some("notices:write"),
            request: |s| {
                let body = json!({
                    "ground": "NOTICE_GROUND_SUBSTANDARD_QUALITY",
                    "listingIds": [s.listing_id],
                    "explanation": "The handbag failed our laboratory's durability test.",
                    "goodFaithDeclaration": true
                });
                ("/v1/notices".into(), Some(body))
            },
            across: Across::Shared(
                "a regulator files in its own jurisdiction (the token's) about any listing offered there",
            ),
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/notices/{id}",
            scope: Some("notices:read"),
            request: |s| get(format!("/v1/notices/{}", s.notice_id)),
            across: Across::Hidden,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/sellers/{id}",
            scope: Some("traders:read"),
            request: |s| get(format!("/v1/sellers/{}", s.seller_id)),
            across: Across::Refused,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/sellers/{id}/violations",
            scope: Some("traders:read"),
            request: |s| get(format!("/v1/sellers/{}/violations", s.seller_id)),
            across: Across::Refused,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/sellers/{id}/inspections",
            scope: Some("traders:read"),
            request: |s| get(format!("/v1/sellers/{}/inspections", s.seller_id)),
            across: Across::Refused,
            marker: None,
        },
        Route {
            method: "POST",
            template: "/v1/sellers/{id}/inspections",
            scope: Some("inspections:write"),
            request: |s| {
                let body = json!({
                    "product": "Leather handbag",
                    "result": "INSPECTION_RESULT_PASS",
                    "inspectedTime": "2026-01-15T10:00:00Z"
                });
                (
                    format!("/v1/sellers/{}/inspections", s.seller_id),
                    Some(body),
                )
            },
            across: Across::Refused,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/listings/{id}",
            scope: Some("cases:read"),
            request: |s| get(format!("/v1/listings/{}", s.listing_id)),
            across: Across::Hidden,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/statements",
            scope: Some("statements:read"),
            request: |_| get("/v1/statements?page_size=100".into()),
            across: Across::Shared(PUBLISHED),
            marker: Some(|s| s.statement_id.clone()),
        },
        Route {
            method: "GET",
            template: "/v1/reports/transparency",
            scope: Some("reports:read"),
            request: |_| get("/v1/reports/transparency".into()),
            across: Across::OwnFigures,
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/audit/head",
            scope: Some("audit:read"),
            request: |_| get("/v1/audit/head".into()),
            across: Across::Shared(ONE_LOG),
            marker: None,
        },
        Route {
            method: "GET",
            template: "/v1/audit/proof/{index}",
            scope: Some("audit:read"),
            request: |_| get("/v1/audit/proof/0".into()),
            across: Across::Shared(ONE_LOG),
            marker: None,
        },
        Route {
            method: "POST",
            template: "/v1/audit/verify",
            scope: Some("audit:read"),
            request: |_| ("/v1/audit/verify".into(), Some(json!({}))),
            across: Across::Shared(ONE_LOG),
            marker: None,
        },
        Route {
            method: "GET",
            template: "/healthz",
            scope: None,
            request: |_| get("/healthz".into()),
            across: Across::Shared("no data"),
            marker: None,
        },
        Route {
            method: "GET",
            template: "/readyz",
            scope: None,
            request: |_| get("/readyz".into()),
            across: Across::Shared("no data"),
            marker: None,
        },
    ]
}

/// Every operation of the served OpenAPI document: (method, path template) → scopes required
/// (`None`: no security requirement).
fn documented(doc: &Value) -> Vec<(String, String, Option<Vec<String>>)> {
    let mut out = Vec::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (template, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let scopes = operation["security"].as_array().map(|requirements| {
                requirements
                    .iter()
                    .flat_map(|r| r["bearer"].as_array().cloned().unwrap_or_default())
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            });
            out.push((method.to_ascii_uppercase(), template.clone(), scopes));
        }
    }
    out
}

/// A regulator token for `subject` as described.
fn regulator(
    world: &World,
    subject: &str,
    roles: Vec<Role>,
    jurisdiction: Option<&str>,
    scopes: &[&str],
) -> String {
    let mut request = TokenRequest::new(subject, roles, Duration::from_secs(3600));
    request.agency = Some("Marktüberwachung".to_owned());
    request.jurisdiction = jurisdiction.map(str::to_owned);
    request.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    world.suite.token_with(request)
}

async fn send(
    world: &World,
    route: &Route,
    side: &Side,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> genuine_suite_tests::gateway::Answer {
    let (path, body) = (route.request)(side);
    let body = body.map(|b| b.to_string());
    world
        .gateway
        .send(route.method, &path, token, headers, body.as_deref())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_caller_and_across_jurisdictions_matches_its_table() {
    let world = World::start().await;
    let table = table();

    // The table and the served document name the same routes with the same scopes.
    let doc = world.gateway.get("/openapi.json", None).await.ok();
    let documented = documented(&doc);
    let mut failures = Vec::new();
    for (method, template, scopes) in &documented {
        match table
            .iter()
            .find(|r| r.method == method && r.template == template)
        {
            None => failures.push(format!("{method} {template}: missing from the table")),
            Some(row) => {
                let declared = row.scope.map(|s| vec![s.to_owned()]);
                if &declared != scopes {
                    failures.push(format!(
                        "{method} {template}: the table says {declared:?}, the document {scopes:?}"
                    ));
                }
            }
        }
    }
    for row in &table {
        if !documented
            .iter()
            .any(|(m, t, _)| m == row.method && t == row.template)
        {
            failures.push(format!(
                "{} {}: in the table but not in the document",
                row.method, row.template
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let (de, fr) = (&world.de, &world.fr);
    let mut checked = 0usize;
    for (i, route) in table.iter().enumerate() {
        let name = format!("{} {}", route.method, route.template);
        // A public route answers everyone; the others refuse as the caller deserves.
        let refuse = |status: u16| if route.scope.is_some() { status } else { 200 };
        let mut calls: Vec<Call> = Vec::new();

        // Refused before authentication.
        for (kind, token) in bad_tokens(&[Role::Regulator], "DE", &EVERY_SCOPE) {
            calls.push(Call::new(kind, token, refuse(401)));
        }
        calls.push(Call {
            headers: vec![("Authorization", "Basic cmVnOnB3")],
            ..Call::new("basic auth", None, refuse(401))
        });

        // Authenticated but refused. Subjects of their own per route keep rate budgets apart.
        let mut refused: Vec<(String, String)> = Role::ALL
            .into_iter()
            .filter(|r| *r != Role::Regulator)
            .map(|r| {
                let subject = format!("r{i}-{}", r.as_str());
                let token = regulator(&world, &subject, vec![r], Some("DE"), &EVERY_SCOPE);
                (format!("role {}", r.as_str()), token)
            })
            .collect();
        let both = vec![Role::Regulator, Role::Admin];
        refused.push((
            "regulator and admin".into(),
            regulator(
                &world,
                &format!("r{i}-both"),
                both,
                Some("DE"),
                &EVERY_SCOPE,
            ),
        ));
        let subject = format!("r{i}-stateless");
        refused.push((
            "regulator without jurisdiction".into(),
            regulator(&world, &subject, vec![Role::Regulator], None, &EVERY_SCOPE),
        ));
        if let Some(scope) = route.scope {
            let others: Vec<&str> = EVERY_SCOPE.into_iter().filter(|s| *s != scope).collect();
            let subject = format!("r{i}-unscoped");
            refused.push((
                "every scope but the route's".into(),
                regulator(&world, &subject, vec![Role::Regulator], Some("DE"), &others),
            ));
        }
        for (who, token) in refused {
            calls.push(Call::new(&who, Some(token), refuse(403)));
        }

        // Accepted portal tokens, on the caller's own data (the DE regulator filed DE's notice).
        let mut accepted = vec![("portal: every scope", world.portal_token(de))];
        if let Some(scope) = route.scope {
            accepted.push((
                "portal: the route's scope alone",
                regulator(
                    &world,
                    &de.regulator,
                    vec![Role::Regulator],
                    Some("DE"),
                    &[scope],
                ),
            ));
        }
        accepted.push((
            "portal: jurisdiction in lower case",
            regulator(
                &world,
                &de.regulator,
                vec![Role::Regulator],
                Some("de"),
                &EVERY_SCOPE,
            ),
        ));
        for (who, token) in accepted {
            calls.push(Call::new(who, Some(token), 200));
        }

        for Call {
            who,
            token,
            headers,
            wanted,
        } in &calls
        {
            let answer = send(&world, route, de, token.as_deref(), headers).await;
            checked += 1;
            // 2xx wanted: 200 or 201; refusals exactly.
            let ok = if *wanted == 200 {
                (200..300).contains(&answer.status)
            } else {
                answer.status == *wanted
            };
            if !ok {
                failures.push(format!(
                    "{name} as {who}: wanted {wanted}, got {} {}",
                    answer.status, answer.body
                ));
            }
        }

        // Across jurisdictions: the DE regulator on FR data.
        let token = world.portal_token(de);
        let own = send(&world, route, de, Some(&token), &[]).await;
        let other = send(&world, route, fr, Some(&token), &[]).await;
        checked += 1;
        let holds = |answer: &genuine_suite_tests::gateway::Answer, side: &Side| {
            route.marker.is_some_and(|m| answer.body.contains(&m(side)))
        };
        let across_ok = match route.across {
            Across::Hidden => other.status == 404,
            Across::Refused => other.status == 403,
            Across::Filtered => {
                own.status == 200 && holds(&own, de) && !holds(&own, fr) && !holds(&other, fr)
            }
            Across::Shared(_) => {
                (200..300).contains(&other.status)
                    && route
                        .marker
                        .is_none_or(|_| holds(&other, fr) && holds(&other, de))
            }
            Across::OwnFigures => own.status == 200 && own_figures(&world, &own.json()).await,
        };
        if !across_ok {
            failures.push(format!(
                "{name} across jurisdictions ({:?}): own {} {}; other {} {}",
                route.across, own.status, own.body, other.status, other.body
            ));
        }
    }
    println!("gateway matrix: {} routes, {checked} checks", table.len());
    for route in &table {
        if let Across::Shared(why) = route.across {
            let (method, template) = (route.method, route.template);
            println!("  {method} {template} is not scoped by jurisdiction: {why}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Whether `report` (the DE regulator's) has DE's figures: as an admin reads them for DE, and
/// not those of all jurisdictions.
async fn own_figures(world: &World, report: &Value) -> bool {
    let admin = world.suite.token(Role::Admin, "admin");
    let start = report["startTime"].as_str().expect("startTime");
    let end = report["endTime"].as_str().expect("endTime");
    let timestamp = |text: &str| {
        let t = chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
        prost_types::Timestamp {
            seconds: t.timestamp(),
            nanos: 0,
        }
    };
    let mut figures = Vec::new();
    for jurisdiction in ["DE", ""] {
        let request = enforcement::GetTransparencyReportRequest {
            start_time: Some(timestamp(start)),
            end_time: Some(timestamp(end)),
            jurisdiction: jurisdiction.to_owned(),
        };
        let answer = world
            .suite
            .enforcement_client()
            .get_transparency_report(authed(request, &admin))
            .await
            .expect("report as admin")
            .into_inner()
            .report
            .expect("report");
        figures.push(answer.notices_total);
    }
    let (de_total, all_total) = (figures[0], figures[1]);
    report["jurisdiction"] == "DE"
        && report["noticesTotal"].as_u64() == Some(de_total)
        && de_total < all_total
}
