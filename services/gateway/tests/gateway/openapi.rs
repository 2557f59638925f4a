//! The OpenAPI document is valid 3.1, lists every route of the issue table with its scope, and
//! is what the server serves.

use crate::support::Suite;

/// (method, path, scope) of every documented route.
const ROUTES: [(&str, &str, Option<&str>); 17] = [
    ("get", "/v1/cases", Some("cases:read")),
    ("get", "/v1/cases/{id}", Some("cases:read")),
    ("post", "/v1/notices", Some("notices:write")),
    ("get", "/v1/notices/{id}", Some("notices:read")),
    ("get", "/v1/sellers/{id}", Some("traders:read")),
    ("get", "/v1/sellers/{id}/violations", Some("traders:read")),
    ("get", "/v1/sellers/{id}/inspections", Some("traders:read")),
    (
        "post",
        "/v1/sellers/{id}/inspections",
        Some("inspections:write"),
    ),
    ("get", "/v1/listings/{id}", Some("cases:read")),
    ("get", "/v1/statements", Some("statements:read")),
    ("get", "/v1/reports/transparency", Some("reports:read")),
    ("get", "/v1/audit/head", Some("audit:read")),
    ("get", "/v1/audit/proof/{index}", Some("audit:read")),
    ("post", "/v1/audit/verify", Some("audit:read")),
    ("get", "/healthz", None),
    ("get", "/readyz", None),
    ("get", "/openapi.json", None),
];

#[tokio::test]
async fn the_served_document_lists_every_route_with_its_scope() {
    let suite = Suite::start().await;
    let answer = suite.get("/openapi.json", None).await;
    assert_eq!(answer.headers["content-type"], "application/json");
    let doc = answer.ok(200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc,
        serde_json::to_value(genuine_gateway::routes::openapi()).expect("json")
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = 0;
    for (method, path, scope) in ROUTES {
        if path == "/openapi.json" {
            continue;
        }
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        documented += 1;
        match scope {
            Some(scope) => {
                assert_eq!(
                    operation["security"][0]["bearer"][0], scope,
                    "{method} {path}"
                );
                for status in ["400", "401", "403", "429", "503"] {
                    let response = &operation["responses"][status];
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} does not document {status}"
                    );
                }
            }
            None => assert!(operation.get("security").is_none(), "{method} {path}"),
        }
    }
    let operations: usize = paths
        .values()
        .map(|p| p.as_object().expect("item").len())
        .sum();
    assert_eq!(
        operations,
        documented,
        "no undocumented extras: {:?}",
        paths.keys()
    );
    let schemes = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer");
    let statuses = &doc["components"]["schemas"]["CaseStatus"]["enum"];
    assert!(
        statuses
            .as_array()
            .expect("enum")
            .contains(&"CASE_STATUS_OPEN".into())
    );
    suite.stop().await;
}
