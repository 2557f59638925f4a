//! Where a client command sends its calls, and with which token.

use std::time::Duration;

use genuine_runtime::config::Source;

use crate::cli::{ClientArgs, TokenArgs};
use crate::{secret_file, token};

/// The URL (flag, else `GENUINE_<SERVICE>_URL`, else the embedded default) and token (flag or
/// `GENUINE_TOKEN`, else a short-lived admin token minted with the configured secret — the
/// embedded default's operator convenience).
pub fn resolve(
    source: &Source,
    client: &ClientArgs,
    service: &str,
    default_port: u16,
) -> anyhow::Result<(String, String)> {
    let url = client.url.clone().unwrap_or_else(|| {
        source.suite().string(
            &format!("{service}_URL"),
            &format!("http://127.0.0.1:{default_port}"),
        )
    });
    let token = match &client.token {
        Some(token) => token.clone(),
        None => {
            let (secret, _) = secret_file::load_or_create(source, false)?;
            let issuer = token::issuer(source, secret.expose())?;
            token::mint(
                &issuer,
                &TokenArgs {
                    roles: vec!["admin".to_owned()],
                    subject: Some("cli-admin".to_owned()),
                    agency: None,
                    jurisdiction: None,
                    scopes: Vec::new(),
                    ttl: Duration::from_secs(300),
                },
            )?
        }
    };
    Ok((url, token))
}
