//! Accept and reject cases of [`TokenVerifier`].

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::test_support::{
    AUDIENCE, EC_PRIVATE_PEM, EC_PUBLIC_PEM, ISSUER, SECRET, issuer, token, verifier,
};
use super::*;

fn request(roles: &[Role]) -> TokenRequest {
    TokenRequest::new("user-1", roles.to_vec(), Duration::from_secs(300))
}

#[test]
fn accepts_a_good_hs256_token() {
    let mut req = request(&[Role::Regulator]);
    req.agency = Some("AGCOM".into());
    req.jurisdiction = Some("IT".into());
    req.scopes = vec!["traders:read".into(), "cases:read".into()];
    let token = issuer().mint(&req).expect("mint");
    let principal = verifier().verify(&token).expect("valid token");
    assert_eq!(principal.subject, "user-1");
    assert_eq!(principal.roles, vec![Role::Regulator]);
    assert_eq!(principal.agency.as_deref(), Some("AGCOM"));
    assert_eq!(principal.jurisdiction.as_deref(), Some("IT"));
    assert!(principal.has_scope("cases:read"));
}

#[test]
fn rejects_an_empty_token() {
    assert_eq!(verifier().verify("  "), Err(AuthError::Missing));
}

#[test]
fn rejects_garbage() {
    assert!(matches!(
        verifier().verify("not-a-jwt"),
        Err(AuthError::Malformed(_))
    ));
    assert!(matches!(
        verifier().verify("a.b.c"),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn rejects_an_expired_token() {
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let token = issuer()
        .mint_at(&request(&[Role::Admin]), an_hour_ago)
        .expect("mint");
    assert_eq!(verifier().verify(&token), Err(AuthError::Expired));
}

#[test]
fn tolerates_small_clock_skew() {
    // Expired 10 s ago: within the leeway.
    let issued = SystemTime::now() - Duration::from_secs(310);
    let token = issuer()
        .mint_at(&request(&[Role::Admin]), issued)
        .expect("mint");
    assert!(verifier().verify(&token).is_ok());
}

#[test]
fn rejects_a_token_signed_with_another_secret() {
    let other =
        TokenIssuer::hs256(b"another-secret-another-secret!!", ISSUER, AUDIENCE).expect("issuer");
    let token = other.mint(&request(&[Role::Admin])).expect("mint");
    assert_eq!(verifier().verify(&token), Err(AuthError::BadSignature));
}

#[test]
fn rejects_a_wrong_audience() {
    let other = TokenIssuer::hs256(SECRET, ISSUER, "someone-else").expect("issuer");
    let token = other.mint(&request(&[Role::Admin])).expect("mint");
    assert_eq!(verifier().verify(&token), Err(AuthError::WrongAudience));
}

#[test]
fn rejects_a_wrong_issuer() {
    let other = TokenIssuer::hs256(SECRET, "mallory", AUDIENCE).expect("issuer");
    let token = other.mint(&request(&[Role::Admin])).expect("mint");
    assert_eq!(verifier().verify(&token), Err(AuthError::WrongIssuer));
}

fn b64(json: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(json).expect("json"))
}

fn valid_claims() -> serde_json::Value {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    serde_json::json!({
        "sub": "mallory", "roles": ["admin"], "iss": ISSUER, "aud": AUDIENCE,
        "exp": now + 300, "iat": now
    })
}

#[test]
fn rejects_alg_none() {
    let header = b64(&serde_json::json!({"alg": "none", "typ": "JWT"}));
    let claims = b64(&valid_claims());
    for token in [
        format!("{header}.{claims}."),
        format!("{header}.{claims}.AAAA"),
    ] {
        assert_eq!(
            verifier().verify(&token),
            Err(AuthError::WrongAlgorithm {
                expected: "HS256",
                found: "none".into()
            })
        );
    }
}

#[test]
fn rejects_a_missing_subject_or_expiry() {
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET).expect("key");
    for drop in ["sub", "exp"] {
        let mut claims = valid_claims();
        claims.as_object_mut().expect("object").remove(drop);
        // Signed with the right secret so that only the missing claim is wrong.
        let token =
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("sign");
        assert_eq!(
            verifier().verify(&token),
            Err(AuthError::MissingClaim(drop.into())),
            "without {drop}"
        );
    }
}

fn es256_verifier() -> TokenVerifier {
    TokenVerifier::new(AuthConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        key: VerificationKey::Es256PublicPem(EC_PUBLIC_PEM.into()),
    })
    .expect("verifier")
}

#[test]
fn rejects_an_hs256_token_at_an_es256_verifier() {
    // Classic confusion attack: HMAC keyed with the public key bytes.
    let forged = TokenIssuer::hs256(EC_PUBLIC_PEM.as_bytes(), ISSUER, AUDIENCE)
        .expect("issuer")
        .mint(&request(&[Role::Admin]))
        .expect("mint");
    assert_eq!(
        es256_verifier().verify(&forged),
        Err(AuthError::WrongAlgorithm {
            expected: "ES256",
            found: "HS256".into()
        })
    );
    assert!(matches!(
        es256_verifier().verify(&token("u", &[Role::Admin])),
        Err(AuthError::WrongAlgorithm { .. })
    ));
}

#[test]
fn accepts_an_es256_token_from_the_matching_private_key() {
    let issuer =
        TokenIssuer::from_pem_es256(EC_PRIVATE_PEM.as_bytes(), ISSUER, AUDIENCE).expect("issuer");
    let token = issuer.mint(&request(&[Role::Reviewer])).expect("mint");
    let principal = es256_verifier().verify(&token).expect("valid");
    assert_eq!(principal.roles, vec![Role::Reviewer]);
}

#[test]
fn errors_do_not_echo_the_token() {
    let token = token("secret-subject", &[Role::Admin]);
    let tampered = format!("{token}x");
    let err = verifier().verify(&tampered).expect_err("tampered");
    let text = format!("{err} {err:?} {}", tonic::Status::from(err.clone()));
    assert!(!text.contains(&tampered[..20]), "{text}");
    assert!(!text.contains("secret-subject"), "{text}");
}
