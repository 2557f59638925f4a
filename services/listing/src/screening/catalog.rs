//! A consistent snapshot of everything screening compares against — brands, prohibited terms,
//! known-counterfeit hashes — and the screening of one draft against it. Pure: no I/O, no clock.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::image_set::ImageSet;
use super::matcher::{BuildError, Hits, TermMatcher};
use super::normalize::normalize_with_boundaries;
use super::pdq::{ImageHash, PdqHash};
use super::scoring::{Assessment, ScreeningConfig, Signal, SignalCode};
use crate::domain::money::Money;

/// A protected brand as screening sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandProfile {
    /// Id.
    pub brand_id: String,
    /// Name shown to people; also matched.
    pub display_name: String,
    /// Other names matched.
    pub aliases: Vec<String>,
    /// Sellers allowed to name the brand.
    pub authorized_sellers: BTreeSet<String>,
    /// Reference prices by category (category as entered).
    pub reference_prices: Vec<(String, Money)>,
}

/// A prohibited term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermEntry {
    /// As entered.
    pub term: String,
    /// BCP 47 language tag.
    pub language: String,
}

/// What screening knows about the seller from seller-reputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Read in time.
    Known(SellerStanding),
    /// Not answered in time (or at all): the listing is held, never published blind.
    Unavailable(String),
}

/// The parts of seller-reputation's standing screening uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerStanding {
    /// 0 (worst) to 100.
    pub score: i32,
    /// Upheld violations in the strike window.
    pub active_strikes: i32,
    /// Currently suspended.
    pub suspended: bool,
    /// Traceability data verified.
    pub verified: bool,
}

/// The fields of a listing screening looks at, already validated.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// The seller.
    pub seller_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// Category.
    pub category: &'a str,
    /// Price, when given.
    pub price: Option<&'a Money>,
    /// Hashes of the images, with their quality.
    pub images: &'a [ImageHash],
}

/// Brands, terms and hashes, with the matcher compiled from them. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalog {
    brands: Arc<Vec<BrandProfile>>,
    brand_positions: Arc<HashMap<String, usize>>,
    terms: Arc<Vec<TermEntry>>,
    matcher: Arc<TermMatcher>,
    images: Arc<ImageSet>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self {
            brands: Arc::default(),
            brand_positions: Arc::default(),
            terms: Arc::default(),
            matcher: Arc::new(TermMatcher::empty()),
            images: Arc::default(),
        }
    }
}

impl Catalog {
    /// Compiles a catalogue.
    ///
    /// # Errors
    /// When the term automaton cannot be built.
    pub fn build(
        brands: Vec<BrandProfile>,
        terms: Vec<TermEntry>,
        images: ImageSet,
    ) -> Result<Self, BuildError> {
        let matcher = compile(&brands, &terms)?;
        Ok(Self {
            brand_positions: Arc::new(positions(&brands)),
            brands: Arc::new(brands),
            terms: Arc::new(terms),
            matcher: Arc::new(matcher),
            images: Arc::new(images),
        })
    }

    /// A copy with `brand` added or replaced (by id); the automaton is recompiled only when
    /// the names changed.
    ///
    /// # Errors
    /// When the term automaton cannot be built.
    pub fn with_brand(&self, brand: BrandProfile) -> Result<Self, BuildError> {
        let mut brands = self.brands.as_ref().clone();
        let names_changed = match self.brand_positions.get(&brand.brand_id) {
            Some(&i) => {
                let changed = brands[i].display_name != brand.display_name
                    || brands[i].aliases != brand.aliases;
                brands[i] = brand;
                changed
            }
            None => {
                brands.push(brand);
                true
            }
        };
        let matcher = if names_changed {
            Arc::new(compile(&brands, &self.terms)?)
        } else {
            Arc::clone(&self.matcher)
        };
        Ok(Self {
            brand_positions: Arc::new(positions(&brands)),
            brands: Arc::new(brands),
            terms: Arc::clone(&self.terms),
            matcher,
            images: Arc::clone(&self.images),
        })
    }

    /// A copy with `terms` added.
    ///
    /// # Errors
    /// When the term automaton cannot be built.
    pub fn with_terms(&self, added: Vec<TermEntry>) -> Result<Self, BuildError> {
        let mut terms = self.terms.as_ref().clone();
        terms.extend(added);
        let matcher = compile(&self.brands, &terms)?;
        Ok(Self {
            brands: Arc::clone(&self.brands),
            brand_positions: Arc::clone(&self.brand_positions),
            terms: Arc::new(terms),
            matcher: Arc::new(matcher),
            images: Arc::clone(&self.images),
        })
    }

    /// A copy with known-counterfeit hashes added.
    #[must_use]
    pub fn with_images(&self, added: Vec<(PdqHash, String)>) -> Self {
        Self {
            images: Arc::new(self.images.with_added(added)),
            ..self.clone()
        }
    }

    /// Number of brands, terms and hashes.
    #[must_use]
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.brands.len(), self.terms.len(), self.images.len())
    }

    /// Screens `draft` by a seller of `standing`.
    #[must_use]
    pub fn screen(
        &self,
        draft: &Draft<'_>,
        standing: &Standing,
        config: &ScreeningConfig,
    ) -> Assessment {
        let mut signals = Vec::new();
        let hits = self.text_hits(draft);
        self.brand_signals(draft, &hits, config, &mut signals);
        self.term_signal(&hits, config, &mut signals);
        self.image_signals(draft, config, &mut signals);
        standing_signals(standing, config, &mut signals);
        config.assess(signals)
    }

    fn text_hits(&self, draft: &Draft<'_>) -> Hits {
        let mut hits = Hits::default();
        self.matcher
            .find_into(&normalize_with_boundaries(draft.title), &mut hits);
        self.matcher
            .find_into(&normalize_with_boundaries(draft.description), &mut hits);
        hits
    }

    fn brand_signals(
        &self,
        draft: &Draft<'_>,
        hits: &Hits,
        config: &ScreeningConfig,
        out: &mut Vec<Signal>,
    ) {
        let category = draft.category.trim().to_lowercase();
        for &i in &hits.brands {
            let Some(brand) = self.brands.get(i as usize) else {
                continue;
            };
            // An authorised seller may name the brand and price it as the brand allows.
            if brand.authorized_sellers.contains(draft.seller_id) {
                continue;
            }
            out.push(Signal {
                code: SignalCode::BrandTermUnauthorizedSeller,
                weight: config.weights.of(SignalCode::BrandTermUnauthorizedSeller),
                detail: format!(
                    "names the protected brand \"{}\" without the brand's authorisation",
                    brand.display_name
                ),
                brand_id: Some(brand.brand_id.clone()),
            });
            let Some(price) = draft.price else { continue };
            let reference = brand
                .reference_prices
                .iter()
                .filter(|(c, _)| c.trim().to_lowercase() == category)
                .find(|(_, reference)| reference.currency_code == price.currency_code);
            if let Some((_, reference)) = reference
                && price.is_below_share_of(reference, config.price_share_percent) == Some(true)
            {
                out.push(Signal {
                    code: SignalCode::PriceFarBelowReference,
                    weight: config.weights.of(SignalCode::PriceFarBelowReference),
                    detail: format!(
                        "price {price} is below {}% of the \"{}\" reference price {reference} for {:?}",
                        config.price_share_percent, brand.display_name, draft.category
                    ),
                    brand_id: Some(brand.brand_id.clone()),
                });
            }
        }
    }

    fn term_signal(&self, hits: &Hits, config: &ScreeningConfig, out: &mut Vec<Signal>) {
        if hits.terms.is_empty() {
            return;
        }
        let found: Vec<String> = hits
            .terms
            .iter()
            .filter_map(|&i| self.terms.get(i as usize))
            .map(|t| format!("\"{}\"", t.term))
            .collect();
        out.push(Signal {
            code: SignalCode::ReplicaVocabulary,
            weight: config.weights.of(SignalCode::ReplicaVocabulary),
            detail: format!("uses replica vocabulary: {}", found.join(", ")),
            brand_id: None,
        });
    }

    fn image_signals(&self, draft: &Draft<'_>, config: &ScreeningConfig, out: &mut Vec<Signal>) {
        for (i, image) in draft.images.iter().enumerate() {
            if image.quality < config.min_image_quality {
                out.push(Signal {
                    code: SignalCode::ImageLowQuality,
                    weight: config.weights.of(SignalCode::ImageLowQuality),
                    detail: format!(
                        "image {i} has PDQ quality {} (below {}) and was not compared",
                        image.quality, config.min_image_quality
                    ),
                    brand_id: None,
                });
                continue;
            }
            if let Some(best) = self
                .images
                .matches(&image.hash, config.max_hamming_distance)
                .first()
            {
                out.push(Signal {
                    code: SignalCode::ImageMatchesKnownCounterfeit,
                    weight: config.weights.of(SignalCode::ImageMatchesKnownCounterfeit),
                    detail: format!(
                        "image {i} is within {} bits of a known counterfeit image ({})",
                        best.distance, best.hash
                    ),
                    brand_id: Some(best.brand_id.clone()),
                });
            }
        }
    }
}

fn standing_signals(standing: &Standing, config: &ScreeningConfig, out: &mut Vec<Signal>) {
    let mut push = |code: SignalCode, detail: String| {
        out.push(Signal {
            code,
            weight: config.weights.of(code),
            detail,
            brand_id: None,
        });
    };
    match standing {
        Standing::Unavailable(why) => push(
            SignalCode::StandingUnavailable,
            format!("seller standing could not be read ({why}); held until it can"),
        ),
        Standing::Known(s) => {
            if s.suspended {
                push(
                    SignalCode::SellerSuspended,
                    "the seller is suspended".into(),
                );
            }
            if s.score < config.low_standing_score {
                push(
                    SignalCode::SellerLowStanding,
                    format!(
                        "seller standing {} is below {} ({} active strikes)",
                        s.score, config.low_standing_score, s.active_strikes
                    ),
                );
            }
            if !s.verified {
                push(
                    SignalCode::SellerUnverified,
                    "the seller's traceability data is not verified".into(),
                );
            }
        }
    }
}

fn compile(brands: &[BrandProfile], terms: &[TermEntry]) -> Result<TermMatcher, BuildError> {
    let names = (0_u32..).zip(brands).flat_map(|(i, b)| {
        std::iter::once((i, b.display_name.as_str()))
            .chain(b.aliases.iter().map(move |a| (i, a.as_str())))
    });
    let terms = (0_u32..).zip(terms).map(|(i, t)| (i, t.term.as_str()));
    TermMatcher::build(names, terms)
}

fn positions(brands: &[BrandProfile]) -> HashMap<String, usize> {
    brands
        .iter()
        .enumerate()
        .map(|(i, b)| (b.brand_id.clone(), i))
        .collect()
}
