//! Verification keys from a JWKS document (RFC 7517): P-256 (ES256), RSA (RS256) and
//! symmetric (HS256) keys become the runtime's [`VerificationKey`]s, each pinned to one
//! algorithm, so a token can never pick its own.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use genuine_runtime::auth::VerificationKey;
use serde::Deserialize;

/// A JWKS document.
#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

/// The members of a JWK genuine reads.
#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    k: Option<String>,
}

/// DER prefix of a P-256 SubjectPublicKeyInfo up to the uncompressed point (RFC 5480).
const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];

/// The keys of a JWKS document with their `kid`s. Keys for encryption (`use: enc`) are skipped.
///
/// # Errors
/// A document that does not parse, an unsupported key, or no usable key at all.
pub fn parse(json: &str) -> Result<Vec<(Option<String>, VerificationKey)>, String> {
    let jwks: Jwks = serde_json::from_str(json).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys = Vec::new();
    for (i, jwk) in jwks.keys.into_iter().enumerate() {
        if jwk.usage.as_deref() == Some("enc") {
            continue;
        }
        let key = convert(&jwk).map_err(|e| format!("key {i}: {e}"))?;
        keys.push((jwk.kid, key));
    }
    if keys.is_empty() {
        return Err("no signing key in the JWKS document".to_owned());
    }
    Ok(keys)
}

fn convert(jwk: &Jwk) -> Result<VerificationKey, String> {
    let expect_alg = |alg: &str| match jwk.alg.as_deref() {
        None => Ok(()),
        Some(a) if a == alg => Ok(()),
        Some(a) => Err(format!("alg {a} is not supported for kty {}", jwk.kty)),
    };
    match jwk.kty.as_str() {
        "EC" => {
            expect_alg("ES256")?;
            if jwk.crv.as_deref() != Some("P-256") {
                return Err("only the P-256 curve is supported".to_owned());
            }
            let x = coordinate(jwk.x.as_deref(), "x")?;
            let y = coordinate(jwk.y.as_deref(), "y")?;
            let mut der = P256_SPKI_PREFIX.to_vec();
            der.extend_from_slice(&x);
            der.extend_from_slice(&y);
            Ok(VerificationKey::Es256PublicPem(pem("PUBLIC KEY", &der)))
        }
        "RSA" => {
            expect_alg("RS256")?;
            let n = member(jwk.n.as_deref(), "n")?;
            let e = member(jwk.e.as_deref(), "e")?;
            let body = [der_integer(&n), der_integer(&e)].concat();
            Ok(VerificationKey::Rs256PublicPem(pem(
                "RSA PUBLIC KEY",
                &der_tlv(0x30, &body),
            )))
        }
        "oct" => {
            expect_alg("HS256")?;
            let k = member(jwk.k.as_deref(), "k")?;
            if k.len() < 32 {
                return Err("an HS256 key must have at least 32 bytes".to_owned());
            }
            Ok(VerificationKey::Hs256(k))
        }
        other => Err(format!("kty {other} is not supported")),
    }
}

fn member(value: Option<&str>, name: &str) -> Result<Vec<u8>, String> {
    let value = value.ok_or_else(|| format!("member `{name}` is missing"))?;
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| format!("member `{name}` is not base64url"))
}

fn coordinate(value: Option<&str>, name: &str) -> Result<Vec<u8>, String> {
    let bytes = member(value, name)?;
    if bytes.len() == 32 {
        Ok(bytes)
    } else {
        Err(format!("member `{name}` must be 32 bytes for P-256"))
    }
}

/// A DER INTEGER of an unsigned big-endian number.
fn der_integer(unsigned: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = unsigned.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&trimmed);
    der_tlv(0x02, &content)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    let encoded = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_and_integers_are_encoded_minimally() {
        assert_eq!(
            der_integer(&[0x01, 0x00, 0x01]),
            vec![0x02, 0x03, 0x01, 0x00, 0x01]
        );
        assert_eq!(der_integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_integer(&[0x00, 0x05]), vec![0x02, 0x01, 0x05]);
        let long = der_tlv(0x30, &[0; 300]);
        assert_eq!(&long[..4], &[0x30, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn unsupported_or_broken_keys_are_refused_with_a_reason() {
        let cases = [
            (r#"{"keys":[]}"#, "no signing key"),
            (
                r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}"#,
                "kty OKP",
            ),
            (
                r#"{"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]}"#,
                "P-256",
            ),
            (r#"{"keys":[{"kty":"oct","k":"c2hvcnQ"}]}"#, "32 bytes"),
            (
                r#"{"keys":[{"kty":"RSA","alg":"RS512","n":"AQ","e":"AQAB"}]}"#,
                "RS512",
            ),
            ("[]", "not a JWKS"),
        ];
        for (json, reason) in cases {
            let err = parse(json).expect_err(json);
            assert!(err.contains(reason), "{json}: {err}");
        }
    }

    #[test]
    fn symmetric_keys_are_read_and_encryption_keys_skipped() {
        let k = URL_SAFE_NO_PAD.encode([7_u8; 32]);
        let json = format!(
            r#"{{"keys":[{{"kty":"oct","kid":"a","k":"{k}"}},{{"kty":"RSA","use":"enc"}}]}}"#
        );
        let keys = parse(&json).expect("valid");
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys[0],
            (Some("a".to_owned()), VerificationKey::Hs256(vec![7; 32]))
        );
    }
}
