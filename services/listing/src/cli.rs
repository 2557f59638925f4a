//! `genuine listing …`: operator and client commands over ListingService.
//!
//! Wiring (in the `genuine` binary): add a variant
//! `Listing { #[command(subcommand)] command: genuine_listing::cli::ListingCommand }` to its
//! command enum and dispatch it with `genuine_listing::cli::run(&source, command).await`.
//!
//! The service address is `--url` (default `GENUINE_LISTING_URL`, `http://127.0.0.1:50051`);
//! the bearer token is `--token` / `GENUINE_TOKEN`, or an admin token minted with
//! `GENUINE_AUTH_SECRET` when that is configured (the embedded default).

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_runtime::auth::{Role, TokenIssuer, TokenRequest};
use genuine_runtime::config::{ServiceSettings, Source};
use tonic::transport::Channel;

use crate::screening::PdqHash;
use crate::{DEFAULT_PORT, NAME};

/// How to reach the service.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// ListingService URL (default: GENUINE_LISTING_URL or http://127.0.0.1:50051).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Bearer token (default: GENUINE_TOKEN, else an admin token minted with GENUINE_AUTH_SECRET).
    #[arg(long, global = true, env = "GENUINE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// `genuine listing …` sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum ListingCommand {
    /// Creates (and screens) a listing.
    Create {
        #[command(flatten)]
        connection: Connection,
        #[arg(long)]
        seller: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        category: String,
        /// Price such as "EUR 12.50".
        #[arg(long)]
        price: String,
        /// PNG or JPEG files.
        #[arg(long = "image")]
        images: Vec<PathBuf>,
        /// Idempotency key (default: a new random one).
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Shows one listing.
    Get {
        #[command(flatten)]
        connection: Connection,
        listing_id: String,
    },
    /// Lists listings.
    List {
        #[command(flatten)]
        connection: Connection,
        #[arg(long)]
        seller: Option<String>,
        /// active, held, blocked, taken_down, suspended or withdrawn.
        #[arg(long)]
        status: Option<String>,
        /// At most this many listings.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Brand commands.
    Brand {
        #[command(subcommand)]
        command: BrandCommand,
    },
    /// Imports known-counterfeit PDQ hashes from a file: CSV (the first 64-hex field of each
    /// row) or one hex hash per line, as shared by industry hash-sharing programmes.
    ImportHashes {
        #[command(flatten)]
        connection: Connection,
        /// The brand the hashes are reported for.
        #[arg(long)]
        brand: String,
        /// Hashes per request.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        file: PathBuf,
    },
    /// Streams the whole catalogue through ScreenListings and summarises the decisions.
    Rescreen {
        #[command(flatten)]
        connection: Connection,
        /// Listings read per page.
        #[arg(long, default_value_t = 500)]
        page_size: i32,
    },
}

/// `genuine listing brand …`.
#[derive(Debug, Clone, Subcommand)]
pub enum BrandCommand {
    /// Registers a protected brand.
    Register {
        #[command(flatten)]
        connection: Connection,
        #[arg(long)]
        name: String,
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// The rights holder's subject.
        #[arg(long)]
        owner: String,
        /// "CATEGORY=CUR AMOUNT", e.g. "handbags=EUR 1200".
        #[arg(long = "reference-price")]
        reference_prices: Vec<String>,
        #[arg(long)]
        request_id: Option<String>,
    },
}

/// Runs a `genuine listing` command.
///
/// # Errors
/// A bad argument, an unreachable service or an error status, said plainly.
pub async fn run(source: &Source, command: ListingCommand) -> anyhow::Result<()> {
    match command {
        ListingCommand::Create {
            connection,
            seller,
            title,
            description,
            category,
            price,
            images,
            request_id,
        } => {
            let mut client = connect(source, &connection).await?;
            let mut inputs = Vec::new();
            for path in &images {
                let bytes =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                inputs.push(pb::ImageInput {
                    image: Some(pb::image_input::Image::Content(bytes)),
                });
            }
            let request = pb::CreateListingRequest {
                request_id: request_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                seller_id: seller,
                title,
                description,
                category,
                price: Some(parse_money(&price)?),
                images: inputs,
            };
            let listing = client
                .create_listing(authorised(&connection, source, request)?)
                .await?
                .into_inner();
            println!("{:#?}", listing.listing);
        }
        ListingCommand::Get {
            connection,
            listing_id,
        } => {
            let mut client = connect(source, &connection).await?;
            let request = authorised(&connection, source, pb::GetListingRequest { listing_id })?;
            println!(
                "{:#?}",
                client.get_listing(request).await?.into_inner().listing
            );
        }
        ListingCommand::List {
            connection,
            seller,
            status,
            limit,
        } => {
            let mut client = connect(source, &connection).await?;
            let status = match status.as_deref() {
                None => 0,
                Some(name) => parse_status(name)? as i32,
            };
            let mut token = String::new();
            let mut shown = 0;
            loop {
                let request = pb::ListListingsRequest {
                    seller_id: seller.clone().unwrap_or_default(),
                    status,
                    page_size: i32::try_from(limit.saturating_sub(shown).min(1000)).unwrap_or(1000),
                    page_token: token,
                };
                let page = client
                    .list_listings(authorised(&connection, source, request)?)
                    .await?
                    .into_inner();
                for l in &page.listings {
                    let status =
                        pb::ListingStatus::try_from(l.status).map_or("?", |s| s.as_str_name());
                    println!("{}\t{}\t{}\t{}", l.listing_id, l.seller_id, status, l.title);
                }
                shown += page.listings.len();
                token = page.next_page_token;
                if token.is_empty() || shown >= limit {
                    break;
                }
            }
        }
        ListingCommand::Brand {
            command:
                BrandCommand::Register {
                    connection,
                    name,
                    aliases,
                    owner,
                    reference_prices,
                    request_id,
                },
        } => {
            let mut client = connect(source, &connection).await?;
            let reference_prices = reference_prices
                .iter()
                .map(|text| {
                    let (category, price) = text
                        .split_once('=')
                        .with_context(|| format!("{text:?}: expected CATEGORY=CUR AMOUNT"))?;
                    Ok(pb::ReferencePrice {
                        category: category.trim().to_owned(),
                        price: Some(parse_money(price)?),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let request = pb::RegisterBrandRequest {
                request_id: request_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                display_name: name,
                aliases,
                owner_id: owner,
                reference_prices,
            };
            let brand = client
                .register_brand(authorised(&connection, source, request)?)
                .await?
                .into_inner();
            println!("{:#?}", brand.brand);
        }
        ListingCommand::ImportHashes {
            connection,
            brand,
            batch,
            file,
        } => import_hashes(source, &connection, &brand, batch.clamp(1, 100_000), &file).await?,
        ListingCommand::Rescreen {
            connection,
            page_size,
        } => rescreen(source, &connection, page_size).await?,
    }
    Ok(())
}

async fn connect(
    source: &Source,
    connection: &Connection,
) -> anyhow::Result<ListingServiceClient<Channel>> {
    let url = match &connection.url {
        Some(url) => url.clone(),
        None => {
            ServiceSettings::load(source, NAME, DEFAULT_PORT)?
                .peers
                .listing
        }
    };
    let channel = Channel::from_shared(url.clone())
        .with_context(|| format!("bad URL {url:?}"))?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .with_context(|| format!("cannot reach the listing service at {url}"))?;
    Ok(ListingServiceClient::new(channel).max_decoding_message_size(64 * 1024 * 1024))
}

/// `message` with the bearer token.
fn authorised<T>(
    connection: &Connection,
    source: &Source,
    message: T,
) -> anyhow::Result<tonic::Request<T>> {
    let token = match &connection.token {
        Some(token) => token.clone(),
        None => {
            let settings = ServiceSettings::load(source, NAME, DEFAULT_PORT)?;
            let Some(secret) = settings.auth_secret else {
                bail!(
                    "no token: pass --token, set GENUINE_TOKEN, or configure GENUINE_AUTH_SECRET"
                );
            };
            TokenIssuer::hs256(
                secret.expose().as_bytes(),
                settings.auth_issuer,
                settings.auth_audience,
            )?
            .mint(&TokenRequest::new(
                "cli",
                vec![Role::Admin],
                Duration::from_secs(3600),
            ))?
        }
    };
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

/// "EUR 12.50" (or "12.50 EUR") as money.
fn parse_money(text: &str) -> anyhow::Result<Money> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let (currency, amount) = match parts.as_slice() {
        [c, a] if c.chars().all(|ch| ch.is_ascii_alphabetic()) => (*c, *a),
        [a, c] => (*c, *a),
        _ => bail!("{text:?}: expected a price such as \"EUR 12.50\""),
    };
    let (units, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if fraction.len() > 9 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        bail!("{text:?}: at most 9 decimal digits");
    }
    let units: i64 = units
        .parse()
        .with_context(|| format!("{text:?}: bad amount"))?;
    let nanos: i32 = format!("{fraction:0<9}")
        .parse()
        .with_context(|| format!("{text:?}: bad amount"))?;
    Ok(Money {
        currency_code: currency.to_ascii_uppercase(),
        units,
        nanos,
    })
}

fn parse_status(name: &str) -> anyhow::Result<pb::ListingStatus> {
    let upper = format!("LISTING_STATUS_{}", name.to_ascii_uppercase());
    pb::ListingStatus::from_str_name(&upper).with_context(|| format!("unknown status {name:?}"))
}

/// The first field of `line` that is a 64-hex PDQ hash; `None` for headers, comments, blanks.
fn hash_in_line(line: &str) -> Option<PdqHash> {
    line.split([',', ';', '\t', ' '])
        .map(|field| field.trim().trim_matches('"'))
        .find_map(|field| PdqHash::from_hex(field).ok())
}

/// Every hash in `path`.
fn read_hashes(path: &Path) -> anyhow::Result<Vec<PdqHash>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hashes = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        if let Some(hash) = hash_in_line(&line?) {
            hashes.push(hash);
        }
    }
    Ok(hashes)
}

fn progress(label: &str, done: usize, total: usize) {
    let width = 40;
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width);
    eprint!(
        "\r{label} [{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}

async fn import_hashes(
    source: &Source,
    connection: &Connection,
    brand: &str,
    batch: usize,
    file: &Path,
) -> anyhow::Result<()> {
    let hashes = read_hashes(file)?;
    let mut client = connect(source, connection).await?;
    let (mut added, mut low, mut rejected) = (0_u64, 0_u64, 0_u64);
    for (i, chunk) in hashes.chunks(batch).enumerate() {
        let request = pb::AddCounterfeitImagesRequest {
            brand_id: brand.to_owned(),
            images: chunk
                .iter()
                .map(|h| pb::ImageInput {
                    image: Some(pb::image_input::Image::PdqHash(h.to_hex())),
                })
                .collect(),
            source: pb::CounterfeitImageSource::HashSharing as i32,
        };
        let answer = client
            .add_counterfeit_images(authorised(connection, source, request)?)
            .await?
            .into_inner();
        added += u64::from(answer.added);
        low += u64::from(answer.skipped_low_quality);
        rejected += answer.rejected.len() as u64;
        progress(
            "importing",
            (i * batch + chunk.len()).min(hashes.len()),
            hashes.len(),
        );
    }
    eprintln!();
    println!(
        "{} hashes read, {added} added, {} already known, {low} low quality, {rejected} rejected",
        hashes.len(),
        hashes.len() as u64 - added - low - rejected
    );
    Ok(())
}

async fn rescreen(source: &Source, connection: &Connection, page_size: i32) -> anyhow::Result<()> {
    let mut client = connect(source, connection).await?;
    let mut listings = Vec::new();
    let mut token = String::new();
    loop {
        let request = pb::ListListingsRequest {
            page_size,
            page_token: token,
            ..pb::ListListingsRequest::default()
        };
        let page = client
            .list_listings(authorised(connection, source, request)?)
            .await?
            .into_inner();
        listings.extend(page.listings);
        progress("reading", listings.len(), listings.len());
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    eprintln!();
    let stored: BTreeMap<String, i32> = listings
        .iter()
        .map(|l| {
            (
                l.listing_id.clone(),
                l.screening.as_ref().map_or(0, |s| s.decision),
            )
        })
        .collect();
    let total = listings.len();
    let requests = listings.into_iter().map(|l| pb::ScreenListingsRequest {
        r#ref: l.listing_id,
        draft: Some(pb::ListingDraft {
            seller_id: l.seller_id,
            title: l.title,
            description: l.description,
            category: l.category,
            price: l.price,
            images: l
                .image_pdq_hashes
                .into_iter()
                .map(|h| pb::ImageInput {
                    image: Some(pb::image_input::Image::PdqHash(h)),
                })
                .collect(),
        }),
    });
    let mut stream = client
        .screen_listings(authorised(
            connection,
            source,
            tokio_stream::iter(requests),
        )?)
        .await?
        .into_inner();
    let mut by_decision: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut changed, mut errors, mut done) = (0, 0, 0);
    while let Some(answer) = stream.message().await? {
        done += 1;
        match answer.screening {
            Some(result) => {
                let name = pb::ScreeningDecision::try_from(result.decision)
                    .map_or("?", |d| d.as_str_name());
                *by_decision.entry(name).or_default() += 1;
                if stored.get(&answer.r#ref) != Some(&result.decision) {
                    changed += 1;
                }
            }
            None => errors += 1,
        }
        progress("screening", done, total);
    }
    eprintln!();
    for (decision, count) in &by_decision {
        println!("{decision}: {count}");
    }
    println!(
        "{done} listings screened, {changed} with a different decision than stored, {errors} errors"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_texts() {
        let m = parse_money("EUR 12.5").expect("money");
        assert_eq!(
            (m.currency_code.as_str(), m.units, m.nanos),
            ("EUR", 12, 500_000_000)
        );
        let m = parse_money("100 cny").expect("money");
        assert_eq!(
            (m.currency_code.as_str(), m.units, m.nanos),
            ("CNY", 100, 0)
        );
        assert!(parse_money("12.50").is_err());
        assert!(parse_money("EUR 1.2345678901").is_err());
        assert!(parse_money("EUR abc").is_err());
    }

    #[test]
    fn hash_files_in_csv_or_plain_form() {
        let hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        assert_eq!(hash_in_line(hex).map(PdqHash::to_hex).as_deref(), Some(hex));
        assert_eq!(
            hash_in_line(&format!("42,\"{hex}\",pdq,2024-01-01"))
                .map(PdqHash::to_hex)
                .as_deref(),
            Some(hex)
        );
        assert_eq!(hash_in_line("id,hash,type"), None);
        assert_eq!(hash_in_line("# comment"), None);
        assert_eq!(hash_in_line(""), None);
    }

    #[test]
    fn statuses_by_name() {
        assert_eq!(parse_status("held").expect("held"), pb::ListingStatus::Held);
        assert_eq!(
            parse_status("TAKEN_DOWN").expect("taken down"),
            pb::ListingStatus::TakenDown
        );
        assert!(parse_status("gone").is_err());
    }
}
