//! Screening throughput and the PDQ index against brute force.
//!
//! `cargo bench -p genuine-listing --bench screening` runs:
//! - `screening/text_10k_brands`: text-only screening of varied listings against 10,000 brands
//!   (names and aliases, a third of them Chinese) and the default replica vocabulary;
//! - `screening/text_and_image_1m_hashes`: the same with one image per listing looked up among
//!   1,000,000 known-counterfeit hashes;
//! - `pdq_1m/index` vs `pdq_1m/brute_force`: one lookup (distance ≤ 31) among 1,000,000 hashes,
//!   after checking that both return the same hits;
//! - `pdq_10m/index`: one lookup among 10,000,000 hashes (skipped when `GENUINE_BENCH_SKIP_10M`
//!   is set), after checking a few queries against brute force.
//!
//! `GENUINE_BENCH_PDQ_ONLY=1` runs only the `pdq_*` groups. Index memory (and bytes per hash),
//! the mean buckets probed and candidates verified per lookup are printed before the lookups.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use genuine_listing::domain::money::Money;
use genuine_listing::screening::hash_index::{HashIndex, brute_force};
use genuine_listing::screening::{
    BrandProfile, Catalog, Draft, ImageHash, ImageSet, PdqHash, ScreeningConfig, SellerStanding,
    Standing, TermEntry,
};
use genuine_listing::store::DEFAULT_PROHIBITED_TERMS;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn hash(&mut self) -> PdqHash {
        PdqHash([self.next(), self.next(), self.next(), self.next()])
    }
}

const SYLLABLES: &[&str] = &[
    "lu", "xe", "pa", "ris", "or", "bis", "va", "len", "ti", "no", "ca", "mi", "ro", "sa", "ki",
    "mo", "de", "la", "ne", "zu", "fi", "ga", "to", "ve", "ra", "po", "li", "an", "el", "ur",
];
const HAN: &[char] = &[
    '卢', '克', '斯', '奥', '比', '华', '伦', '天', '诺', '卡', '米', '罗', '萨', '基', '莫', '德',
];
const WORDS: &[&str] = &[
    "leather",
    "handbag",
    "brown",
    "vintage",
    "canvas",
    "tote",
    "wallet",
    "strap",
    "gold",
    "buckle",
    "size",
    "new",
    "used",
    "condition",
    "shipping",
    "fast",
    "original",
    "box",
    "gift",
    "women",
    "men",
    "classic",
    "limited",
    "edition",
    "watch",
    "steel",
    "dial",
    "sneakers",
    "white",
    "black",
    "包",
    "手袋",
    "正品",
    "全新",
];

fn word(rng: &mut Rng, syllables: usize) -> String {
    (0..syllables)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

fn brands(rng: &mut Rng, count: usize) -> Vec<BrandProfile> {
    (0..count)
        .map(|i| {
            let name = format!("{} {}", word(rng, 2), word(rng, 2 + i % 2));
            let mut aliases = vec![name.replace(' ', "")];
            if i % 3 == 0 {
                aliases.push((0..3).map(|_| HAN[rng.below(HAN.len())]).collect());
            }
            BrandProfile {
                brand_id: format!("brand-{i}"),
                display_name: name,
                aliases,
                authorized_sellers: BTreeSet::new(),
                reference_prices: vec![(
                    "handbags".into(),
                    Money::parse("EUR", 1000, 0).expect("money"),
                )],
            }
        })
        .collect()
}

struct Listing {
    title: String,
    description: String,
    price: Money,
    images: Vec<ImageHash>,
}

/// Listings of about 60 + 400 characters; one in ten names a brand, one in twenty uses replica
/// vocabulary.
fn listings(
    rng: &mut Rng,
    brands: &[BrandProfile],
    known: &[PdqHash],
    count: usize,
) -> Vec<Listing> {
    (0..count)
        .map(|i| {
            let mut title: Vec<String> = (0..8)
                .map(|_| WORDS[rng.below(WORDS.len())].to_owned())
                .collect();
            if i % 10 == 0 {
                title.insert(2, brands[rng.below(brands.len())].display_name.clone());
            }
            if i % 20 == 0 {
                title.push(
                    DEFAULT_PROHIBITED_TERMS[rng.below(DEFAULT_PROHIBITED_TERMS.len())]
                        .0
                        .to_owned(),
                );
            }
            let description: Vec<&str> = (0..60).map(|_| WORDS[rng.below(WORDS.len())]).collect();
            let hash = if i % 10 == 0 && !known.is_empty() {
                flip(known[rng.below(known.len())], 20, rng)
            } else {
                rng.hash()
            };
            Listing {
                title: title.join(" "),
                description: description.join(" "),
                price: Money::parse("EUR", 50 + rng.below(1000) as i64, 0).expect("money"),
                images: vec![ImageHash { hash, quality: 90 }],
            }
        })
        .collect()
}

fn flip(hash: PdqHash, bits: usize, rng: &mut Rng) -> PdqHash {
    let mut words = hash.0;
    for _ in 0..bits {
        let bit = rng.below(256);
        words[bit / 64] ^= 1 << (bit % 64);
    }
    PdqHash(words)
}

fn screen_all(
    catalog: &Catalog,
    listings: &[Listing],
    with_images: bool,
    config: &ScreeningConfig,
) -> u32 {
    let standing = Standing::Known(SellerStanding {
        score: 90,
        active_strikes: 0,
        suspended: false,
        verified: true,
    });
    let mut total = 0;
    for l in listings {
        let draft = Draft {
            seller_id: "seller-1",
            title: &l.title,
            description: &l.description,
            category: "handbags",
            price: Some(&l.price),
            images: if with_images { &l.images } else { &[] },
        };
        total += catalog
            .screen(black_box(&draft), &standing, config)
            .risk_score;
    }
    total
}

fn terms() -> Vec<TermEntry> {
    DEFAULT_PROHIBITED_TERMS
        .iter()
        .map(|(t, l)| TermEntry {
            term: (*t).into(),
            language: (*l).into(),
        })
        .collect()
}

fn screening(c: &mut Criterion) {
    if std::env::var_os("GENUINE_BENCH_PDQ_ONLY").is_some() {
        return;
    }
    let mut rng = Rng(0x5eed);
    let brands = brands(&mut rng, 10_000);
    let known: Vec<PdqHash> = (0..1_000_000).map(|_| rng.hash()).collect();
    let config = ScreeningConfig::default();
    let started = std::time::Instant::now();
    let text_only = Catalog::build(brands.clone(), terms(), ImageSet::default()).expect("catalog");
    eprintln!(
        "screening: catalogue of 10,000 brands compiled in {:?}",
        started.elapsed()
    );
    let with_hashes = Catalog::build(
        brands.clone(),
        terms(),
        ImageSet::build(known.iter().map(|h| (*h, "brand-0".to_owned()))),
    )
    .expect("catalog");
    let batch = listings(&mut rng, &brands, &known, 1000);
    let flagged = batch
        .iter()
        .filter(|l| {
            let draft = Draft {
                seller_id: "s",
                title: &l.title,
                description: &l.description,
                category: "handbags",
                price: Some(&l.price),
                images: &[],
            };
            !text_only
                .screen(&draft, &Standing::Unavailable(String::new()), &config)
                .signals
                .iter()
                .all(|s| s.code == genuine_listing::screening::SignalCode::StandingUnavailable)
        })
        .count();
    eprintln!(
        "screening: 10,000 brands, {flagged} of 1,000 benchmark listings raise a text signal"
    );

    let mut group = c.benchmark_group("screening");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("text_10k_brands", |b| {
        b.iter(|| screen_all(&text_only, &batch, false, &config))
    });
    group.bench_function("text_and_image_1m_hashes", |b| {
        b.iter(|| screen_all(&with_hashes, &batch, true, &config));
    });
    group.finish();
}

fn queries(rng: &mut Rng, known: &[PdqHash], count: usize) -> Vec<PdqHash> {
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                flip(known[rng.below(known.len())], 5 + rng.below(27), rng)
            } else {
                rng.hash()
            }
        })
        .collect()
}

/// Prints the index's size and the mean work per lookup.
fn describe(name: &str, index: &HashIndex, queries: &[PdqHash], built: Duration) {
    let (mut probes, mut candidates) = (0, 0);
    for q in queries {
        let (_, cost) = index.search_counting(q, 31);
        probes += cost.probes;
        candidates += cost.candidates;
    }
    let count = queries.len().max(1);
    eprintln!(
        "{name}: index built in {built:?}, {:.1} MB ({:.1} bytes per hash); per lookup {} buckets \
         probed, {} candidates verified",
        index.memory_bytes() as f64 / 1_048_576.0,
        index.memory_bytes() as f64 / index.len().max(1) as f64,
        probes / count,
        candidates / count,
    );
}

fn pdq(c: &mut Criterion) {
    let mut rng = Rng(0xc0ffee);
    let known: Vec<PdqHash> = (0..1_000_000).map(|_| rng.hash()).collect();
    let started = std::time::Instant::now();
    let index = HashIndex::build(known.clone());
    let built = started.elapsed();
    let queries = queries(&mut rng, &known, 64);
    describe("pdq_1m", &index, &queries, built);
    let mut hits = 0;
    for q in &queries {
        let from_index = index.search(q, 31);
        assert_eq!(
            from_index,
            brute_force(&known, q, 31),
            "index and brute force disagree"
        );
        hits += from_index.len();
    }
    eprintln!(
        "pdq_1m: {} queries agree with brute force ({hits} hits)",
        queries.len()
    );

    let mut group = c.benchmark_group("pdq_1m");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("index", |b| {
        b.iter(|| {
            queries
                .iter()
                .map(|q| index.search(black_box(q), 31).len())
                .sum::<usize>()
        });
    });
    group.bench_function("brute_force", |b| {
        b.iter(|| {
            queries
                .iter()
                .map(|q| brute_force(&known, black_box(q), 31).len())
                .sum::<usize>()
        });
    });
    group.finish();
    drop(index);

    if std::env::var_os("GENUINE_BENCH_SKIP_10M").is_some() {
        return;
    }
    let mut big: Vec<PdqHash> = known;
    big.extend((0..9_000_000).map(|_| rng.hash()));
    let queries = self::queries(&mut rng, &big, 64);
    let started = std::time::Instant::now();
    let index = HashIndex::build(big);
    let built = started.elapsed();
    describe("pdq_10m", &index, &queries, built);
    for q in queries.iter().step_by(8) {
        assert_eq!(
            index.search(q, 31),
            brute_force(index.hashes(), q, 31),
            "index and brute force disagree at 10 M"
        );
    }
    eprintln!("pdq_10m: 8 queries agree with brute force");
    let mut group = c.benchmark_group("pdq_10m");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("index", |b| {
        b.iter(|| {
            queries
                .iter()
                .map(|q| index.search(black_box(q), 31).len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, screening, pdq);
criterion_main!(benches);
