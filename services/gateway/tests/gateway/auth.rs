//! 401 and 403: tokens, roles, jurisdiction claims and scopes.

use std::time::{Duration, SystemTime};

use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};

use crate::support::{Suite, Token};

#[tokio::test]
async fn missing_or_invalid_tokens_are_401_with_a_challenge() {
    let suite = Suite::start().await;
    let answer = suite.get("/v1/sellers/s-1", None).await;
    let problem = answer.problem(401);
    assert_eq!(problem["code"], "UNAUTHENTICATED");
    assert!(
        answer.headers["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Bearer")
    );

    let forged = TokenIssuer::hs256(b"another-secret-of-sufficient-length", "genuine", "genuine")
        .expect("issuer")
        .mint(&TokenRequest::new(
            "x",
            vec![Role::Regulator],
            Duration::from_secs(60),
        ))
        .expect("mint");
    let problem = suite
        .get("/v1/sellers/s-1", Some(&forged))
        .await
        .problem(401);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("signature"),
        "{problem}"
    );

    let expired = suite.token_at(
        &Token::regulator("reg-it", "IT"),
        SystemTime::now() - Duration::from_secs(3600),
    );
    let problem = suite.get("/v1/cases", Some(&expired)).await.problem(401);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("expired"),
        "{problem}"
    );

    let answer = suite
        .send(
            http::Method::GET,
            "/v1/cases",
            None,
            None,
            &[("authorization", "Basic abc")],
        )
        .await;
    answer.problem(401);
    suite.stop().await;
}

#[tokio::test]
async fn a_missing_scope_is_403_insufficient_scope() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    let token = suite.token(&Token::regulator("reg-it", "IT").with_scopes(&["cases:read"]));
    let answer = suite.get("/v1/sellers/s-it", Some(&token)).await;
    let problem = answer.problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("traders:read")
    );
    let challenge = answer.headers["www-authenticate"].to_str().expect("ascii");
    assert!(
        challenge.contains("insufficient_scope") && challenge.contains("traders:read"),
        "{challenge}"
    );

    let writes = [
        ("/v1/notices", "notices:write"),
        ("/v1/sellers/s-it/inspections", "inspections:write"),
        ("/v1/audit/verify", "audit:read"),
    ];
    for (path, scope) in writes {
        let problem = suite
            .post(path, Some(&token), &serde_json::json!({}))
            .await
            .problem(403);
        assert!(
            problem["detail"].as_str().expect("detail").contains(scope),
            "{path}: {problem}"
        );
    }
    let reads = [
        ("/v1/notices/n-1", "notices:read"),
        ("/v1/sellers/s-it/violations", "traders:read"),
        ("/v1/sellers/s-it/inspections", "traders:read"),
        ("/v1/statements", "statements:read"),
        ("/v1/reports/transparency", "reports:read"),
        ("/v1/audit/head", "audit:read"),
        ("/v1/audit/proof/0", "audit:read"),
    ];
    for (path, scope) in reads {
        let problem = suite.get(path, Some(&token)).await.problem(403);
        assert!(
            problem["detail"].as_str().expect("detail").contains(scope),
            "{path}: {problem}"
        );
    }
    suite.stop().await;
}

#[tokio::test]
async fn only_regulators_with_a_jurisdiction_are_served() {
    let suite = Suite::start().await;
    let admin = Token {
        roles: vec![Role::Admin],
        ..Token::regulator("root", "IT")
    };
    let problem = suite
        .get("/v1/cases", Some(&suite.token(&admin)))
        .await
        .problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("regulator"),
        "{problem}"
    );

    let both = Token {
        roles: vec![Role::Regulator, Role::Admin],
        ..Token::regulator("reg-admin", "IT")
    };
    let problem = suite
        .get("/v1/cases", Some(&suite.token(&both)))
        .await
        .problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("no other role"),
        "{problem}"
    );

    let stateless = Token {
        jurisdiction: None,
        ..Token::regulator("reg-x", "IT")
    };
    let problem = suite
        .get("/v1/cases", Some(&suite.token(&stateless)))
        .await
        .problem(403);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("jurisdiction"),
        "{problem}"
    );
    suite.stop().await;
}

#[tokio::test]
async fn refusals_after_authentication_and_reads_of_trader_data_are_audited() {
    let suite = Suite::start().await;
    suite.register_seller("s-it", "IT").await;
    let token = suite.token(&Token::regulator("reg-it", "IT"));
    suite.get("/v1/sellers/s-it", Some(&token)).await.ok(200);
    let narrow = suite.token(&Token::regulator("reg-it", "IT").with_scopes(&["cases:read"]));
    suite
        .get("/v1/sellers/s-it/violations", Some(&narrow))
        .await
        .problem(403);
    suite.get("/v1/sellers/s-it", None).await.problem(401);

    let records = suite.audit_records();
    assert_eq!(records.len(), 2, "anonymous calls name nobody: {records:?}");
    assert_eq!(records[0]["subject"], "reg-it");
    assert_eq!(records[0]["jurisdiction"], "IT");
    assert_eq!(records[0]["route"], "/v1/sellers/{id}");
    assert_eq!(records[0]["target"], "/v1/sellers/s-it");
    assert_eq!(records[0]["scope"], "traders:read");
    assert_eq!(records[0]["status"], 200);
    assert_eq!(records[0]["write"], false);
    assert!(records[0]["time"].as_str().expect("time").ends_with('Z'));
    assert_eq!(records[1]["status"], 403);
    suite.stop().await;
}

#[tokio::test]
async fn a_jwks_file_replaces_the_shared_secret() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let dir = tempfile::tempdir().expect("dir");
    let key = b"jwks-integration-secret-0123456789";
    let jwks = dir.path().join("jwks.json");
    let jwk = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"agency-2026","alg":"HS256","k":"{}"}}]}}"#,
        URL_SAFE_NO_PAD.encode(key)
    );
    std::fs::write(&jwks, jwk).expect("write");
    let suite = Suite::start_with(crate::support::Options {
        settings: vec![("GENUINE_GATEWAY_JWKS_FILE", jwks.display().to_string())],
        ..Default::default()
    })
    .await;
    let mut request = TokenRequest::new("reg-it", vec![Role::Regulator], Duration::from_secs(60));
    request.jurisdiction = Some("IT".to_owned());
    request.scopes = vec!["cases:read".to_owned()];
    let from_jwks = TokenIssuer::hs256(key, "genuine", "genuine")
        .expect("issuer")
        .mint(&request)
        .expect("mint");
    // Authenticated by the JWKS key: the bad filter is the only problem left.
    let problem = suite
        .get("/v1/cases?status=NOPE", Some(&from_jwks))
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "status");
    // The suite's own secret is no longer trusted by the gateway.
    let suite_token = suite.token(&Token::regulator("reg-it", "IT"));
    suite
        .get("/v1/cases?status=NOPE", Some(&suite_token))
        .await
        .problem(401);
    suite.stop().await;
}
