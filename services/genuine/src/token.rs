//! `genuine token`: minting tokens for people and tools.

use anyhow::Context;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::config::Source;

use crate::cli::TokenArgs;
use crate::secret_file;

/// Prints a token for `args`.
pub fn run(source: &Source, args: &TokenArgs) -> anyhow::Result<()> {
    let (secret, _) = secret_file::load_or_create(source, false)?;
    let issuer = issuer(source, secret.expose())?;
    println!("{}", mint(&issuer, args)?);
    Ok(())
}

/// An HS256 issuer for the configured issuer and audience.
pub fn issuer(source: &Source, secret: &str) -> anyhow::Result<TokenIssuer> {
    let suite = source.suite();
    TokenIssuer::hs256(
        secret.as_bytes(),
        suite.string("AUTH_ISSUER", "genuine"),
        suite.string("AUTH_AUDIENCE", "genuine"),
    )
    .context("GENUINE_AUTH_SECRET cannot sign tokens")
}

/// Mints the token `args` describe.
pub fn mint(issuer: &TokenIssuer, args: &TokenArgs) -> anyhow::Result<String> {
    let roles = args
        .roles
        .iter()
        .map(|r| {
            r.parse::<Role>()
                .map_err(|e| anyhow::anyhow!("--role {r:?}: {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let subject = args
        .subject
        .clone()
        .unwrap_or_else(|| args.roles[0].clone());
    let mut request = TokenRequest::new(subject, roles, args.ttl);
    request.agency.clone_from(&args.agency);
    request.jurisdiction = args.jurisdiction.as_ref().map(|j| j.to_ascii_uppercase());
    request.scopes.clone_from(&args.scopes);
    issuer.mint(&request).context("cannot mint the token")
}
