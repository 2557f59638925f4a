//! Turning signals into a risk score and a decision.
//!
//! The score is the sum of the signals' weights, capped at 100. The decision follows two
//! thresholds (HOLD from `hold_threshold`, BLOCK from `block_threshold`), except that strong
//! signals set a floor on their own:
//! - a known-counterfeit image, replica vocabulary, or standing that could not be read: never
//!   published (at least HOLD);
//! - a suspended seller, or a protected brand named by an unauthorised seller at a price far
//!   below reference: BLOCK.
//!
//! When a floor raises the decision, the score is raised to that decision's threshold, so that
//! the score alone always tells the decision (`decision_for(score)`).

use serde::{Deserialize, Serialize};

/// Why screening scored a listing (mirrors the contract's `SignalCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SignalCode {
    BrandTermUnauthorizedSeller,
    ReplicaVocabulary,
    PriceFarBelowReference,
    ImageMatchesKnownCounterfeit,
    SellerLowStanding,
    SellerUnverified,
    SellerSuspended,
    StandingUnavailable,
    ImageLowQuality,
}

/// One reason, with the points it adds and an explanation for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// What was found.
    pub code: SignalCode,
    /// Points added to the score.
    pub weight: u32,
    /// Human-readable explanation.
    pub detail: String,
    /// The brand concerned, if any.
    pub brand_id: Option<String>,
}

/// The outcome of screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Decision {
    Publish,
    HoldForReview,
    Block,
}

/// Points per signal. Defaults (documented in the configuration reference):
///
/// | signal | default | why |
/// |---|---|---|
/// | brand term, unauthorised seller | 35 | alone it may be a legitimate mention ("fits Luxe bags") |
/// | replica vocabulary | 60 | sellers of fakes describe them so; also a HOLD floor |
/// | price far below reference | 30 | with an unauthorised brand mention: BLOCK floor |
/// | image matches known counterfeit | 70 | also a HOLD floor |
/// | seller low standing | 25 | history of upheld violations |
/// | seller unverified | 20 | no verified traceability data (DSA Art. 30) |
/// | seller suspended | 100 | also a BLOCK floor |
/// | standing unavailable | 10 | also a HOLD floor: never published blind |
/// | image low quality | 0 | informational: the image could not be compared |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    pub brand_term_unauthorized_seller: u32,
    pub replica_vocabulary: u32,
    pub price_far_below_reference: u32,
    pub image_matches_known_counterfeit: u32,
    pub seller_low_standing: u32,
    pub seller_unverified: u32,
    pub seller_suspended: u32,
    pub standing_unavailable: u32,
    pub image_low_quality: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            brand_term_unauthorized_seller: 35,
            replica_vocabulary: 60,
            price_far_below_reference: 30,
            image_matches_known_counterfeit: 70,
            seller_low_standing: 25,
            seller_unverified: 20,
            seller_suspended: 100,
            standing_unavailable: 10,
            image_low_quality: 0,
        }
    }
}

impl Weights {
    /// The weight of `code`.
    #[must_use]
    pub fn of(&self, code: SignalCode) -> u32 {
        match code {
            SignalCode::BrandTermUnauthorizedSeller => self.brand_term_unauthorized_seller,
            SignalCode::ReplicaVocabulary => self.replica_vocabulary,
            SignalCode::PriceFarBelowReference => self.price_far_below_reference,
            SignalCode::ImageMatchesKnownCounterfeit => self.image_matches_known_counterfeit,
            SignalCode::SellerLowStanding => self.seller_low_standing,
            SignalCode::SellerUnverified => self.seller_unverified,
            SignalCode::SellerSuspended => self.seller_suspended,
            SignalCode::StandingUnavailable => self.standing_unavailable,
            SignalCode::ImageLowQuality => self.image_low_quality,
        }
    }
}

/// Everything screening is tuned by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningConfig {
    /// Points per signal.
    pub weights: Weights,
    /// Scores from here are held for review (default 40).
    pub hold_threshold: u32,
    /// Scores from here are blocked (default 81: "above 80" flags, as at a large marketplace).
    pub block_threshold: u32,
    /// A price below this share (percent) of the brand's reference is "far below" (default 30).
    pub price_share_percent: u32,
    /// Images within this many bits of a known-counterfeit hash match (default 31).
    pub max_hamming_distance: u32,
    /// Hashes of lower PDQ quality are not used for matching (default 50).
    pub min_image_quality: u8,
    /// Standing scores below this are low (default 40).
    pub low_standing_score: i32,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            hold_threshold: 40,
            block_threshold: 81,
            price_share_percent: 30,
            max_hamming_distance: 31,
            min_image_quality: 50,
            low_standing_score: 40,
        }
    }
}

/// A score with its decision and the signals behind it, strongest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// 0–100.
    pub risk_score: u32,
    /// What to do with the listing.
    pub decision: Decision,
    /// Why.
    pub signals: Vec<Signal>,
}

impl ScreeningConfig {
    /// The decision a score alone leads to.
    #[must_use]
    pub fn decision_for(&self, score: u32) -> Decision {
        if score >= self.block_threshold {
            Decision::Block
        } else if score >= self.hold_threshold {
            Decision::HoldForReview
        } else {
            Decision::Publish
        }
    }

    /// Scores `signals` and decides, applying the strong-signal floors.
    #[must_use]
    pub fn assess(&self, mut signals: Vec<Signal>) -> Assessment {
        signals.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.code.cmp(&b.code)));
        // Each kind of signal counts once (its strongest instance): naming three brands is not
        // three times the evidence of naming one.
        let mut strongest: std::collections::BTreeMap<SignalCode, u32> =
            std::collections::BTreeMap::new();
        for s in &signals {
            let entry = strongest.entry(s.code).or_insert(0);
            *entry = (*entry).max(s.weight);
        }
        let sum: u32 = strongest.values().copied().fold(0, u32::saturating_add);
        let has = |code| signals.iter().any(|s: &Signal| s.code == code);
        let brand_at_a_fake_price = signals.iter().any(|s| {
            s.code == SignalCode::PriceFarBelowReference
                && signals.iter().any(|t| {
                    t.code == SignalCode::BrandTermUnauthorizedSeller && t.brand_id == s.brand_id
                })
        });
        let floor = if has(SignalCode::SellerSuspended) || brand_at_a_fake_price {
            Decision::Block
        } else if has(SignalCode::ImageMatchesKnownCounterfeit)
            || has(SignalCode::ReplicaVocabulary)
            || has(SignalCode::StandingUnavailable)
        {
            Decision::HoldForReview
        } else {
            Decision::Publish
        };
        let mut risk_score = sum.min(100);
        let decision = self.decision_for(risk_score).max(floor);
        risk_score = match decision {
            Decision::Block => risk_score.max(self.block_threshold),
            Decision::HoldForReview => risk_score.max(self.hold_threshold),
            Decision::Publish => risk_score,
        }
        .min(100);
        Assessment {
            risk_score,
            decision,
            signals,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn signal(code: SignalCode, brand: Option<&str>) -> Signal {
        Signal {
            code,
            weight: Weights::default().of(code),
            detail: String::new(),
            brand_id: brand.map(str::to_owned),
        }
    }

    const ALL: [SignalCode; 9] = [
        SignalCode::BrandTermUnauthorizedSeller,
        SignalCode::ReplicaVocabulary,
        SignalCode::PriceFarBelowReference,
        SignalCode::ImageMatchesKnownCounterfeit,
        SignalCode::SellerLowStanding,
        SignalCode::SellerUnverified,
        SignalCode::SellerSuspended,
        SignalCode::StandingUnavailable,
        SignalCode::ImageLowQuality,
    ];

    #[test]
    fn table_of_decisions() {
        use SignalCode as C;
        let b = Some("brand-1");
        let cases: Vec<(Vec<Signal>, Decision)> = vec![
            (vec![], Decision::Publish),
            (
                vec![signal(C::BrandTermUnauthorizedSeller, b)],
                Decision::Publish,
            ),
            (
                vec![signal(C::ReplicaVocabulary, None)],
                Decision::HoldForReview,
            ),
            (
                vec![signal(C::ImageMatchesKnownCounterfeit, b)],
                Decision::HoldForReview,
            ),
            (
                vec![signal(C::StandingUnavailable, None)],
                Decision::HoldForReview,
            ),
            (vec![signal(C::SellerSuspended, None)], Decision::Block),
            (
                vec![
                    signal(C::BrandTermUnauthorizedSeller, b),
                    signal(C::PriceFarBelowReference, b),
                ],
                Decision::Block,
            ),
            (
                // Price signal for another brand than the one named: no floor, 65 points.
                vec![
                    signal(C::BrandTermUnauthorizedSeller, b),
                    signal(C::PriceFarBelowReference, Some("brand-2")),
                ],
                Decision::HoldForReview,
            ),
            (
                vec![
                    signal(C::SellerUnverified, None),
                    signal(C::SellerLowStanding, None),
                ],
                Decision::HoldForReview,
            ),
            (
                vec![
                    signal(C::ReplicaVocabulary, None),
                    signal(C::ImageMatchesKnownCounterfeit, b),
                ],
                Decision::Block,
            ),
            (vec![signal(C::ImageLowQuality, None)], Decision::Publish),
        ];
        let config = ScreeningConfig::default();
        for (signals, expected) in cases {
            let codes: Vec<_> = signals.iter().map(|s| s.code).collect();
            assert_eq!(config.assess(signals).decision, expected, "{codes:?}");
        }
    }

    #[test]
    fn signals_come_strongest_first() {
        use SignalCode as C;
        let assessed = ScreeningConfig::default().assess(vec![
            signal(C::SellerUnverified, None),
            signal(C::ImageMatchesKnownCounterfeit, None),
            signal(C::ReplicaVocabulary, None),
        ]);
        let codes: Vec<_> = assessed.signals.iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                C::ImageMatchesKnownCounterfeit,
                C::ReplicaVocabulary,
                C::SellerUnverified
            ]
        );
        assert_eq!(assessed.risk_score, 100);
    }

    #[test]
    fn a_kind_of_signal_counts_once() {
        use SignalCode as C;
        let config = ScreeningConfig::default();
        let one = config.assess(vec![signal(C::BrandTermUnauthorizedSeller, Some("a"))]);
        let three = config.assess(vec![
            signal(C::BrandTermUnauthorizedSeller, Some("a")),
            signal(C::BrandTermUnauthorizedSeller, Some("b")),
            signal(C::BrandTermUnauthorizedSeller, Some("c")),
        ]);
        assert_eq!(one.risk_score, 35);
        assert_eq!(three.risk_score, 35);
        assert_eq!(three.signals.len(), 3);
    }

    proptest! {
        #[test]
        fn the_score_alone_tells_the_decision(picks in prop::collection::vec((0_usize..9, any::<bool>()), 0..8)) {
            let config = ScreeningConfig::default();
            let signals: Vec<Signal> = picks
                .iter()
                .map(|(i, same)| signal(ALL[*i], Some(if *same { "a" } else { "b" })))
                .collect();
            let assessed = config.assess(signals);
            prop_assert!(assessed.risk_score <= 100);
            prop_assert_eq!(config.decision_for(assessed.risk_score), assessed.decision);
        }

        #[test]
        fn adding_a_signal_never_lowers_the_decision(
            picks in prop::collection::vec(0_usize..9, 0..6), extra in 0_usize..9,
        ) {
            let config = ScreeningConfig::default();
            let base: Vec<Signal> = picks.iter().map(|i| signal(ALL[*i], Some("a"))).collect();
            let mut more = base.clone();
            more.push(signal(ALL[extra], Some("a")));
            prop_assert!(config.assess(more).decision >= config.assess(base).decision);
        }

        #[test]
        fn strong_signals_are_never_published(picks in prop::collection::vec(0_usize..9, 0..6)) {
            let config = ScreeningConfig::default();
            let mut signals: Vec<Signal> = picks.iter().map(|i| signal(ALL[*i], Some("a"))).collect();
            signals.push(signal(SignalCode::ReplicaVocabulary, None));
            prop_assert_ne!(config.assess(signals).decision, Decision::Publish);
        }
    }
}
