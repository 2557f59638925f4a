//! Tokens that must be refused everywhere (gRPC and gateway alike): none, expired, signed with
//! another key, for another audience, and unsigned (`alg: none`). Each claims a principal that
//! would otherwise be allowed, so only the token's defect can explain a refusal.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};

/// A bad token: its name for reports, and the token (`None`: no `Authorization` at all).
pub type BadToken = (&'static str, Option<String>);

/// The bad tokens, each for `subject` holding `roles`, in `jurisdiction`, with `scopes`.
pub fn bad_tokens(roles: &[Role], jurisdiction: &str, scopes: &[&str]) -> Vec<BadToken> {
    let request = |ttl| {
        let mut r = TokenRequest::new("mallory", roles.to_vec(), ttl);
        r.jurisdiction = Some(jurisdiction.to_owned());
        r.agency = Some("Forged Agency".to_owned());
        r.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        r
    };
    let hour = Duration::from_secs(3600);
    let expired = genuine_runtime::testing::issuer()
        .mint_at(
            &request(Duration::from_secs(60)),
            SystemTime::now() - Duration::from_secs(24 * 3600),
        )
        .expect("expired token");
    let other_key = TokenIssuer::hs256(
        b"another-secret-entirely-of-sufficient-length",
        "genuine",
        "genuine",
    )
    .expect("issuer")
    .mint(&request(hour))
    .expect("foreign token");
    let wrong_audience = TokenIssuer::hs256(
        genuine_runtime::testing::SECRET.as_bytes(),
        "genuine",
        "other",
    )
    .expect("issuer")
    .mint(&request(hour))
    .expect("wrong-audience token");
    vec![
        ("no token", None),
        ("expired", Some(expired)),
        ("other key", Some(other_key)),
        ("wrong audience", Some(wrong_audience)),
        (
            "alg none",
            Some(alg_none_token(roles, jurisdiction, scopes)),
        ),
    ]
}

/// An unsigned token with valid claims.
fn alg_none_token(roles: &[Role], jurisdiction: &str, scopes: &[&str]) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let claims = serde_json::json!({
        "sub": "mallory",
        "roles": roles,
        "jurisdiction": jurisdiction,
        "scope": scopes.join(" "),
        "iss": "genuine",
        "aud": "genuine",
        "iat": now,
        "exp": now + 3600,
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{claims}.")
}
