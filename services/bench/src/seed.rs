//! Deterministic benchmark data: brands, known-counterfeit hashes, sellers and listing drafts are
//! all derived from one seed, so two runs (and a scenario and its baseline) see the same data.
//! Catalogue rows are written by plain SQL in bulk before the listing service starts (through
//! the API, a million hashes would take longer than the measurement); sellers go through
//! seller-reputation's API, as they would in production.

use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use tonic::transport::Channel;

use crate::scenarios::authed;

/// Syllables of generated brand names: pronounceable, Latin letters only (safe in SQL text).
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ver", "sa", "no", "ri", "tel", "da", "vi", "quo", "ren", "zu", "bel", "ma",
    "xi", "tor", "lu", "fen", "go", "pra", "di", "sol", "ne",
];

/// Rows per bulk INSERT: large enough to amortise round trips, small enough for any driver.
const ROWS_PER_INSERT: usize = 2_000;

/// Reference price of every brand's handbags, in euros; listings ask far less.
const REFERENCE_EUR: i64 = 1_500;

/// A generated brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub id: String,
    pub name: String,
    pub aliases: [String; 2],
}

/// The brand `index` of the catalogue generated from `seed`.
#[must_use]
pub fn brand(seed: u64, index: usize) -> Brand {
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let code = letters(index);
    let name = format!("{} {code}", word(&mut rng));
    Brand {
        id: format!("brd-{index:07}"),
        aliases: [
            format!("{}{code}", word(&mut rng)),
            format!("{code}{}", word(&mut rng)),
        ],
        name,
    }
}

/// The id of seller `index`.
#[must_use]
pub fn seller_id(index: usize) -> String {
    format!("seller-{index:05}")
}

/// `count` PDQ hashes (64 hex digits) from `seed`.
pub fn hashes(seed: u64, count: usize) -> impl Iterator<Item = String> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(1));
    (0..count).map(move |_| pdq_hex(&mut rng))
}

fn pdq_hex(rng: &mut StdRng) -> String {
    (0..4)
        .map(|_| format!("{:016x}", rng.random::<u64>()))
        .collect()
}

/// A capitalised word of two or three syllables.
fn word(rng: &mut StdRng) -> String {
    let count = rng.random_range(2..=3);
    let mut w: String = (0..count)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect();
    w[..1].make_ascii_uppercase();
    w
}

/// `index` in letters ("Ab", "Qzc"…), so every brand name is unique and still a word.
fn letters(mut index: usize) -> String {
    let mut out = String::from("Q");
    loop {
        out.push(char::from(b'a' + (index % 26) as u8));
        index /= 26;
        if index == 0 {
            return out;
        }
    }
}

/// The listing a seller submits as request `n`: a catalogue brand's name, replica vocabulary and
/// a price far below the reference (so screening holds or blocks it and writes its notice to
/// the outbox), ~60 + ~400 characters, one image hash looked up in the index.
#[must_use]
pub fn draft(seed: u64, n: u64, brands: usize, sellers: usize) -> listing::CreateListingRequest {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(n));
    let brand = brand(seed, (n as usize) % brands.max(1));
    let seller = seller_id((n as usize) % sellers.max(1));
    listing::CreateListingRequest {
        request_id: format!("bench-{seed}-{n}"),
        title: format!("{} leather handbag, replica, like new {n}", brand.name),
        description: format!(
            "Shoulder bag in grained calf leather with a zipped inner pocket and an adjustable \
             strap. Bought last year and carried a handful of times; the corners show no wear and \
             the lining is clean. Dust bag included. Ships within two days from a smoke-free home, \
             tracked and insured. Measurements 32 x 24 x 12 cm, strap drop 55 cm. Colour: {}. \
             Payment by bank transfer or on collection. Ask for more photos any time. Ref {n}.",
            word(&mut rng)
        ),
        category: "handbags".to_owned(),
        price: Some(eur(120)),
        images: vec![listing::ImageInput {
            image: Some(listing::image_input::Image::PdqHash(pdq_hex(&mut rng))),
        }],
        seller_id: seller,
    }
}

/// Euros as `Money`.
#[must_use]
pub fn eur(units: i64) -> Money {
    Money {
        currency_code: "EUR".to_owned(),
        units,
        nanos: 0,
    }
}

/// Writes `brands` brands and `hashes` hashes into a migrated listing database.
///
/// # Errors
/// Database errors.
pub async fn catalogue(
    db: &DatabaseConnection,
    seed: u64,
    brands: usize,
    hashes: usize,
) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    let prices = format!(
        r#"[{{"category":"handbags","currency_code":"EUR","units":{REFERENCE_EUR},"nanos":0}}]"#
    );
    let rows: Vec<String> = (0..brands)
        .map(|i| {
            let b = brand(seed, i);
            format!(
                "('{id}', 'bench-brand-{i}', '{id}', '{name}', '[\"{a}\",\"{b2}\"]', 'owner-{i}', '{prices}', 0, 0, 'bench', 'admin')",
                id = b.id,
                name = b.name,
                a = b.aliases[0],
                b2 = b.aliases[1],
            )
        })
        .collect();
    insert_rows(
        &txn,
        "brands (brand_id, request_id, content_digest, display_name, aliases, owner_id, \
         reference_prices, created_at, updated_at, created_by_subject, created_by_role)",
        &rows,
    )
    .await?;
    let rows: Vec<String> = hashes_with_brands(seed, hashes, brands)
        .map(|(hash, brand)| format!("('{brand}', '{hash}', 'hash_sharing', 0, 'bench')"))
        .collect();
    insert_rows(
        &txn,
        "counterfeit_images (brand_id, pdq_hash, source, created_at, created_by_subject)",
        &rows,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn hashes_with_brands(
    seed: u64,
    count: usize,
    brands: usize,
) -> impl Iterator<Item = (String, String)> {
    hashes(seed, count)
        .enumerate()
        .map(move |(i, h)| (h, format!("brd-{:07}", i % brands.max(1))))
}

async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    table_and_columns: &str,
    rows: &[String],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        conn.execute_unprepared(&format!(
            "INSERT INTO {table_and_columns} VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    Ok(())
}

/// Registers and verifies `count` sellers through seller-reputation's API.
///
/// # Errors
/// A call that fails.
pub async fn sellers(channel: Channel, token: &str, count: usize) -> anyhow::Result<()> {
    use reputation::seller_reputation_service_client::SellerReputationServiceClient as Client;
    let mut client = Client::new(channel);
    for i in 0..count {
        let id = seller_id(i);
        client
            .register_seller(authed(
                genuine_reputation::testing::registration(&format!("register-{id}"), &id, "DE"),
                token,
            ))
            .await?;
        client
            .verify_seller(authed(
                reputation::VerifySellerRequest {
                    seller_id: id,
                    outcome: reputation::VerificationOutcome::Verified as i32,
                    note: "bench".to_owned(),
                },
                token,
            ))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data_and_names_are_unique() {
        assert_eq!(brand(8, 5), brand(8, 5));
        assert_ne!(brand(8, 5).name, brand(8, 6).name);
        assert_eq!(draft(8, 3, 10, 4), draft(8, 3, 10, 4));
        let first: Vec<String> = hashes(8, 3).collect();
        assert_eq!(first, hashes(8, 3).collect::<Vec<_>>());
        assert!(first.iter().all(|h| h.len() == 64));
        let names: std::collections::HashSet<String> =
            (0..2_000).map(|i| brand(8, i).name).collect();
        assert_eq!(names.len(), 2_000);
    }
}
