//! Turning the auth settings into a verifier for incoming calls and credentials for outgoing ones.

use anyhow::{Context, bail};

use crate::auth::{AuthConfig, ServiceName, TokenIssuer, VerificationKey};
use crate::clients::ServiceCredentials;
use crate::config::ServiceSettings;

/// How incoming tokens are verified: a public key file when given, else the shared secret.
pub(super) fn auth_config(settings: &ServiceSettings) -> anyhow::Result<AuthConfig> {
    let key = if let Some(path) = &settings.auth_public_key_file {
        let pem = std::fs::read_to_string(path).with_context(|| {
            format!(
                "GENUINE_AUTH_PUBLIC_KEY_FILE: cannot read {}",
                path.display()
            )
        })?;
        if settings.auth_algorithm == "RS256" {
            VerificationKey::Rs256PublicPem(pem)
        } else {
            VerificationKey::Es256PublicPem(pem)
        }
    } else if let Some(secret) = &settings.auth_secret {
        VerificationKey::Hs256(secret.expose().as_bytes().to_vec())
    } else {
        bail!("GENUINE_AUTH_SECRET: required");
    };
    Ok(AuthConfig {
        issuer: settings.auth_issuer.clone(),
        audience: settings.auth_audience.clone(),
        key,
    })
}

/// How this service proves itself to its peers: a configured token, or one it mints with the
/// shared secret.
pub(super) fn service_credentials(
    settings: &ServiceSettings,
) -> anyhow::Result<ServiceCredentials> {
    if let Some(token) = &settings.service_token {
        return ServiceCredentials::static_token(token.expose()).with_context(|| {
            format!(
                "GENUINE_{}_SERVICE_TOKEN: not a valid header value",
                settings.name.to_uppercase()
            )
        });
    }
    let Some(secret) = &settings.auth_secret else {
        bail!(
            "GENUINE_{}_SERVICE_TOKEN: required when tokens are verified with a public key",
            settings.name.to_uppercase()
        );
    };
    let service = service_name(settings.name)?;
    let issuer = TokenIssuer::hs256(
        secret.expose().as_bytes(),
        settings.auth_issuer.clone(),
        settings.auth_audience.clone(),
    )
    .context("GENUINE_AUTH_SECRET: cannot sign service tokens")?;
    Ok(ServiceCredentials::for_service(issuer, service))
}

fn service_name(name: &str) -> anyhow::Result<ServiceName> {
    ServiceName::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .with_context(|| format!("{name:?} is not a genuine service"))
}
