//! Keys and tokens shared by the auth tests.

use std::time::Duration;

use super::{AuthConfig, Role, TokenIssuer, TokenRequest, TokenVerifier};

pub const SECRET: &[u8] = b"test-secret-0123456789abcdef0123";
pub const ISSUER: &str = "genuine-test";
pub const AUDIENCE: &str = "genuine";

/// A throwaway P-256 key pair generated for these tests only.
pub const EC_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3dFY246qNo+KMqsd
1OhDUyPFsSYNhXL41dkzVApW5aChRANCAAQrJlNCOBz73IPOXCevlv+dWb/dE+64
1ZuV5FE8rC/1ckJ+UY6FbaBDpm4CeV2vYX/1Rdjy3X8Tu+h1cQ7eTmQU
-----END PRIVATE KEY-----
";
pub const EC_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKyZTQjgc+9yDzlwnr5b/nVm/3RPu
uNWbleRRPKwv9XJCflGOhW2gQ6ZuAnldr2F/9UXY8t1/E7vodXEO3k5kFA==
-----END PUBLIC KEY-----
";

pub fn issuer() -> TokenIssuer {
    TokenIssuer::hs256(SECRET, ISSUER, AUDIENCE).expect("issuer")
}

pub fn verifier() -> TokenVerifier {
    TokenVerifier::new(AuthConfig::hs256(SECRET, ISSUER, AUDIENCE)).expect("verifier")
}

pub fn token(subject: &str, roles: &[Role]) -> String {
    issuer()
        .mint(&TokenRequest::new(
            subject,
            roles.to_vec(),
            Duration::from_secs(300),
        ))
        .expect("mint")
}
