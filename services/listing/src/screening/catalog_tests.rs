//! Screening of whole drafts against a catalogue: the rules of DOMAIN.md "Listing screening".

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::catalog::{BrandProfile, Catalog, Draft, SellerStanding, Standing, TermEntry};
use super::image_set::ImageSet;
use super::live::LiveCatalog;
use super::pdq::{ImageHash, PdqHash};
use super::scoring::{Decision, ScreeningConfig, SignalCode};
use crate::domain::money::Money;

fn eur(units: i64) -> Money {
    Money::parse("EUR", units, 0).expect("valid")
}

fn luxe() -> BrandProfile {
    BrandProfile {
        brand_id: "brand-luxe".into(),
        display_name: "Luxe Paris".into(),
        aliases: vec!["卢克斯".into(), "LuxeParis".into()],
        authorized_sellers: BTreeSet::from(["seller-ok".to_owned()]),
        reference_prices: vec![("Handbags".into(), eur(1000))],
    }
}

fn terms() -> Vec<TermEntry> {
    [
        "replica",
        "1:1",
        "AAA quality",
        "高仿",
        "复刻",
        "原单",
        "A货",
    ]
    .into_iter()
    .map(|t| TermEntry {
        term: t.into(),
        language: "und".into(),
    })
    .collect()
}

const KNOWN: PdqHash = PdqHash([0xdead_beef_0000_ffff, 0x1234_5678_9abc_def0, 0, u64::MAX]);

fn catalog() -> Catalog {
    Catalog::build(
        vec![luxe()],
        terms(),
        ImageSet::build([(KNOWN, "brand-luxe".to_owned())]),
    )
    .expect("builds")
}

fn good_standing() -> Standing {
    Standing::Known(SellerStanding {
        score: 90,
        active_strikes: 0,
        suspended: false,
        verified: true,
    })
}

struct Case {
    seller: &'static str,
    title: &'static str,
    description: &'static str,
    price: i64,
    images: Vec<ImageHash>,
    standing: Standing,
}

impl Default for Case {
    fn default() -> Self {
        Self {
            seller: "seller-1",
            title: "Leather handbag",
            description: "Brown, hardly used.",
            price: 200,
            images: Vec::new(),
            standing: good_standing(),
        }
    }
}

fn screen_with(catalog: &Catalog, case: &Case) -> (Decision, u32, Vec<SignalCode>) {
    let price = eur(case.price);
    let draft = Draft {
        seller_id: case.seller,
        title: case.title,
        description: case.description,
        category: "handbags",
        price: Some(&price),
        images: &case.images,
    };
    let assessed = catalog.screen(&draft, &case.standing, &ScreeningConfig::default());
    let codes = assessed.signals.iter().map(|s| s.code).collect();
    (assessed.decision, assessed.risk_score, codes)
}

fn screen(case: &Case) -> (Decision, u32, Vec<SignalCode>) {
    screen_with(&catalog(), case)
}

fn flipped(hash: PdqHash, bits: u32) -> PdqHash {
    let mut words = hash.0;
    for bit in 0..bits {
        words[(bit as usize * 7 % 256) / 64] ^= 1 << ((bit as usize * 7 % 256) % 64);
    }
    PdqHash(words)
}

#[test]
fn a_plain_listing_is_published() {
    let (decision, score, codes) = screen(&Case::default());
    assert_eq!((decision, score), (Decision::Publish, 0));
    assert!(codes.is_empty());
}

#[test]
fn brand_by_an_unauthorised_seller_far_below_reference_is_blocked() {
    let (decision, _, codes) = screen(&Case {
        title: "L.u.x.e  P-a-r-i-s bag",
        price: 150,
        ..Case::default()
    });
    assert_eq!(decision, Decision::Block);
    assert_eq!(
        codes,
        [
            SignalCode::BrandTermUnauthorizedSeller,
            SignalCode::PriceFarBelowReference
        ]
    );
}

#[test]
fn the_authorised_seller_may_name_the_brand_at_any_price() {
    let (decision, _, codes) = screen(&Case {
        seller: "seller-ok",
        title: "Luxe Paris bag",
        price: 150,
        ..Case::default()
    });
    assert_eq!(decision, Decision::Publish);
    assert!(codes.is_empty());
}

#[test]
fn chinese_alias_and_full_width_names_match() {
    for title in ["卢克斯 正品包", "ＬＵＸＥ ＰＡＲＩＳ"] {
        let (_, _, codes) = screen(&Case {
            title,
            price: 900,
            ..Case::default()
        });
        assert_eq!(codes, [SignalCode::BrandTermUnauthorizedSeller], "{title}");
    }
}

#[test]
fn price_rule_needs_the_same_currency_and_category() {
    let catalog = catalog();
    let yuan = Money::parse("CNY", 10, 0).expect("valid");
    let draft = Draft {
        seller_id: "seller-1",
        title: "Luxe Paris",
        description: "",
        category: "handbags",
        price: Some(&yuan),
        images: &[],
    };
    let assessed = catalog.screen(&draft, &good_standing(), &ScreeningConfig::default());
    assert!(
        !assessed
            .signals
            .iter()
            .any(|s| s.code == SignalCode::PriceFarBelowReference)
    );
    let cheap = eur(10);
    let other_category = Draft {
        category: "shoes",
        price: Some(&cheap),
        ..draft
    };
    let assessed = catalog.screen(
        &other_category,
        &good_standing(),
        &ScreeningConfig::default(),
    );
    assert!(
        !assessed
            .signals
            .iter()
            .any(|s| s.code == SignalCode::PriceFarBelowReference)
    );
}

#[test]
fn replica_vocabulary_alone_is_never_published() {
    for description in [
        "1:1 copy",
        "AAA-quality",
        "高仿 包",
        "原单",
        "a货",
        "Re.pli.ca",
    ] {
        let (decision, _, codes) = screen(&Case {
            description,
            ..Case::default()
        });
        assert_ne!(decision, Decision::Publish, "{description}");
        assert_eq!(codes, [SignalCode::ReplicaVocabulary], "{description}");
    }
}

#[test]
fn a_known_counterfeit_image_alone_is_never_published() {
    let (decision, _, codes) = screen(&Case {
        images: vec![ImageHash {
            hash: flipped(KNOWN, 31),
            quality: 90,
        }],
        ..Case::default()
    });
    assert_ne!(decision, Decision::Publish);
    assert_eq!(codes, [SignalCode::ImageMatchesKnownCounterfeit]);

    let (decision, _, codes) = screen(&Case {
        images: vec![ImageHash {
            hash: flipped(KNOWN, 32),
            quality: 90,
        }],
        ..Case::default()
    });
    assert_eq!(decision, Decision::Publish);
    assert!(codes.is_empty());
}

#[test]
fn low_quality_images_are_not_compared() {
    let (decision, _, codes) = screen(&Case {
        images: vec![ImageHash {
            hash: KNOWN,
            quality: 49,
        }],
        ..Case::default()
    });
    assert_eq!(decision, Decision::Publish);
    assert_eq!(codes, [SignalCode::ImageLowQuality]);
}

#[test]
fn standing_signals() {
    let unavailable = screen(&Case {
        standing: Standing::Unavailable("deadline exceeded".into()),
        ..Case::default()
    });
    assert_eq!(unavailable.0, Decision::HoldForReview);
    assert_eq!(unavailable.2, [SignalCode::StandingUnavailable]);

    let suspended = screen(&Case {
        standing: Standing::Known(SellerStanding {
            score: 10,
            active_strikes: 3,
            suspended: true,
            verified: false,
        }),
        ..Case::default()
    });
    assert_eq!(suspended.0, Decision::Block);
    assert_eq!(
        suspended.2,
        [
            SignalCode::SellerSuspended,
            SignalCode::SellerLowStanding,
            SignalCode::SellerUnverified
        ]
    );

    let unverified = screen(&Case {
        standing: Standing::Known(SellerStanding {
            score: 80,
            active_strikes: 0,
            suspended: false,
            verified: false,
        }),
        ..Case::default()
    });
    assert_eq!(unverified.0, Decision::Publish);
    assert_eq!(unverified.2, [SignalCode::SellerUnverified]);
}

#[test]
fn live_updates_apply_to_the_next_screening() {
    let live = LiveCatalog::new(Catalog::default());
    let case = Case {
        title: "Orbis watch replica",
        images: vec![ImageHash {
            hash: KNOWN,
            quality: 100,
        }],
        ..Case::default()
    };
    let before = live.snapshot();
    assert!(screen_with(&before, &case).2.is_empty());

    live.upsert_brand(BrandProfile {
        brand_id: "brand-orbis".into(),
        display_name: "Orbis".into(),
        aliases: vec![],
        authorized_sellers: BTreeSet::new(),
        reference_prices: vec![],
    })
    .expect("brand");
    live.add_terms(terms()).expect("terms");
    live.add_images(vec![(KNOWN, "brand-orbis".into())]);
    let after = live.snapshot();
    let (_, _, codes) = screen_with(&after, &case);
    assert_eq!(
        codes,
        [
            SignalCode::ImageMatchesKnownCounterfeit,
            SignalCode::ReplicaVocabulary,
            SignalCode::BrandTermUnauthorizedSeller
        ]
    );
    assert!(
        screen_with(&before, &case).2.is_empty(),
        "old snapshots are immutable"
    );

    // Authorising the seller changes the brand without recompiling names.
    live.upsert_brand(BrandProfile {
        brand_id: "brand-orbis".into(),
        display_name: "Orbis".into(),
        aliases: vec![],
        authorized_sellers: BTreeSet::from(["seller-1".to_owned()]),
        reference_prices: vec![],
    })
    .expect("brand");
    let (_, _, codes) = screen_with(&live.snapshot(), &case);
    assert!(!codes.contains(&SignalCode::BrandTermUnauthorizedSeller));
    assert_eq!(live.snapshot().sizes(), (1, 7, 1));
}

proptest! {
    #[test]
    fn screening_never_panics_and_stays_in_range(
        title in "\\PC{0,80}", description in "\\PC{0,200}", price in 0_i64..5000, score in -10_i32..110,
        suspended: bool, verified: bool,
    ) {
        let catalog = catalog();
        let money = eur(price);
        let draft = Draft {
            seller_id: "s",
            title: &title,
            description: &description,
            category: "handbags",
            price: Some(&money),
            images: &[],
        };
        let standing = Standing::Known(SellerStanding { score, active_strikes: 0, suspended, verified });
        let config = ScreeningConfig::default();
        let assessed = catalog.screen(&draft, &standing, &config);
        prop_assert!(assessed.risk_score <= 100);
        prop_assert_eq!(config.decision_for(assessed.risk_score), assessed.decision);
    }
}
