//! The gateway's own token (`service:gateway`), sent only where no regulator acts: a configured
//! `GENUINE_GATEWAY_SERVICE_TOKEN`, else one minted with the shared secret. With neither (keys
//! from a JWKS file only) calls without a regulator go anonymous, which the public health
//! service accepts.

use anyhow::Context as _;
use genuine_runtime::auth::{ServiceName, TokenIssuer};
use genuine_runtime::clients::ServiceCredentials;
use genuine_runtime::config::ServiceSettings;

/// Placeholder sent when the gateway has no token of its own; services refuse it like any bad
/// token, and the public health service ignores it.
const NO_TOKEN: &str = "none";

pub(super) fn service_credentials(
    settings: &ServiceSettings,
) -> anyhow::Result<ServiceCredentials> {
    if let Some(token) = &settings.service_token {
        return ServiceCredentials::static_token(token.expose())
            .context("GENUINE_GATEWAY_SERVICE_TOKEN: not a valid header value");
    }
    if let Some(secret) = &settings.auth_secret {
        let issuer = TokenIssuer::hs256(
            secret.expose().as_bytes(),
            settings.auth_issuer.clone(),
            settings.auth_audience.clone(),
        )
        .context("GENUINE_AUTH_SECRET: cannot sign the gateway's service token")?;
        return Ok(ServiceCredentials::for_service(
            issuer,
            ServiceName::Gateway,
        ));
    }
    ServiceCredentials::static_token(NO_TOKEN).context("placeholder token")
}
