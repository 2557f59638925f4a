//! The listing service's configuration: the common [`ServiceSettings`] plus screening.
//!
//! Every setting is an environment variable `GENUINE_LISTING_<KEY>` (or suite-wide
//! `GENUINE_<KEY>`); defaults in brackets.
//!
//! | key | meaning |
//! |---|---|
//! | `HOLD_THRESHOLD` [40] | risk score from which a listing is held for review |
//! | `BLOCK_THRESHOLD` [81] | risk score from which it is blocked ("above 80") |
//! | `PRICE_SHARE_PERCENT` [30] | "far below reference" means below this % of it |
//! | `MAX_HAMMING_DISTANCE` [31] | PDQ bits an image may differ from a known counterfeit and match |
//! | `MIN_IMAGE_QUALITY` [50] | PDQ quality below which a hash is not used for matching |
//! | `LOW_STANDING_SCORE` [40] | seller standing scores below this are low |
//! | `WEIGHT_BRAND_TERM` [35], `WEIGHT_REPLICA_VOCABULARY` [60], `WEIGHT_PRICE` [30], `WEIGHT_IMAGE_MATCH` [70], `WEIGHT_LOW_STANDING` [25], `WEIGHT_UNVERIFIED` [20], `WEIGHT_SUSPENDED` [100], `WEIGHT_STANDING_UNAVAILABLE` [10], `WEIGHT_IMAGE_LOW_QUALITY` [0] | points per signal (see `screening::scoring::Weights`) |
//! | `MAX_IMAGE_BYTES` [10485760] | largest image upload (10 MiB) |
//! | `MAX_IMAGE_DIMENSION` [8192] | largest width or height in pixels |
//! | `MAX_IMAGE_ALLOC_BYTES` [268435456] | largest decoder allocation (256 MiB) |
//! | `MAX_IMAGES` [20] | images per listing |
//! | `MAX_REQUEST_BYTES` [33554432] | largest request message (32 MiB); larger ones fail with OUT_OF_RANGE before any handler |
//! | `MAX_COUNTERFEIT_IMAGES` [1000] | images per AddCounterfeitImages call |
//! | `STANDING_DEADLINE` [50ms] | how long screening waits for seller-reputation |
//! | `CATALOG_RELOAD_INTERVAL` [60s] | how often the screening catalogue is reloaded from the database, so replicas see each other's changes (`0s` disables) |

use std::time::Duration;

use genuine_runtime::config::{ConfigError, ServiceSettings, Source};

use crate::screening::{ImageLimits, ScreeningConfig, Weights};
use crate::{DEFAULT_PORT, NAME};

/// Everything the listing service is configured by.
#[derive(Debug, Clone)]
pub struct ListingConfig {
    /// Listen address, database, auth, peers, serving limits.
    pub settings: ServiceSettings,
    /// Thresholds, weights and matching parameters.
    pub screening: ScreeningConfig,
    /// Decoding limits for uploaded images.
    pub image_limits: ImageLimits,
    /// Images per listing.
    pub max_images: usize,
    /// Images per AddCounterfeitImages call.
    pub max_counterfeit_images: usize,
    /// Largest request message the server decodes.
    pub max_request_bytes: usize,
    /// Deadline of the standing look-up.
    pub standing_deadline: Duration,
    /// Period of the catalogue reload; zero disables it.
    pub catalog_reload_interval: Duration,
}

impl ListingConfig {
    /// Reads the configuration from `source`.
    ///
    /// # Errors
    /// The first bad value, naming its variable.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let settings = ServiceSettings::load(source, NAME, DEFAULT_PORT)?;
        let s = source.scoped(NAME);
        let d = ScreeningConfig::default();
        let w = Weights::default();
        let weight = |key: &str, default: u32| s.ranged(key, default, 0..=100);
        let weights = Weights {
            brand_term_unauthorized_seller: weight(
                "WEIGHT_BRAND_TERM",
                w.brand_term_unauthorized_seller,
            )?,
            replica_vocabulary: weight("WEIGHT_REPLICA_VOCABULARY", w.replica_vocabulary)?,
            price_far_below_reference: weight("WEIGHT_PRICE", w.price_far_below_reference)?,
            image_matches_known_counterfeit: weight(
                "WEIGHT_IMAGE_MATCH",
                w.image_matches_known_counterfeit,
            )?,
            seller_low_standing: weight("WEIGHT_LOW_STANDING", w.seller_low_standing)?,
            seller_unverified: weight("WEIGHT_UNVERIFIED", w.seller_unverified)?,
            seller_suspended: weight("WEIGHT_SUSPENDED", w.seller_suspended)?,
            standing_unavailable: weight("WEIGHT_STANDING_UNAVAILABLE", w.standing_unavailable)?,
            image_low_quality: weight("WEIGHT_IMAGE_LOW_QUALITY", w.image_low_quality)?,
        };
        let hold_threshold = s.ranged("HOLD_THRESHOLD", d.hold_threshold, 1..=100)?;
        let block_threshold = s.ranged("BLOCK_THRESHOLD", d.block_threshold, 1..=100)?;
        if hold_threshold >= block_threshold {
            return Err(ConfigError::new(
                s.variable("HOLD_THRESHOLD"),
                format!("must be below the block threshold {block_threshold}"),
            ));
        }
        let screening = ScreeningConfig {
            weights,
            hold_threshold,
            block_threshold,
            price_share_percent: s.ranged("PRICE_SHARE_PERCENT", d.price_share_percent, 0..=100)?,
            max_hamming_distance: s.ranged(
                "MAX_HAMMING_DISTANCE",
                d.max_hamming_distance,
                0..=128,
            )?,
            min_image_quality: s.ranged("MIN_IMAGE_QUALITY", d.min_image_quality, 0..=100)?,
            low_standing_score: s.ranged("LOW_STANDING_SCORE", d.low_standing_score, 0..=100)?,
        };
        let l = ImageLimits::default();
        let image_limits = ImageLimits {
            max_bytes: s.ranged("MAX_IMAGE_BYTES", l.max_bytes, 1024..=256 * 1024 * 1024)?,
            max_dimension: s.ranged("MAX_IMAGE_DIMENSION", l.max_dimension, 16..=65_535)?,
            max_alloc: s.ranged(
                "MAX_IMAGE_ALLOC_BYTES",
                l.max_alloc,
                1024 * 1024..=4 * 1024 * 1024 * 1024,
            )?,
        };
        Ok(Self {
            settings,
            screening,
            image_limits,
            max_images: s.ranged("MAX_IMAGES", 20, 0..=100)?,
            max_counterfeit_images: s.ranged("MAX_COUNTERFEIT_IMAGES", 1000, 1..=100_000)?,
            max_request_bytes: s.ranged(
                "MAX_REQUEST_BYTES",
                32 * 1024 * 1024,
                1024 * 1024..=1024 * 1024 * 1024,
            )?,
            standing_deadline: s.duration("STANDING_DEADLINE", Duration::from_millis(50))?,
            catalog_reload_interval: s
                .duration("CATALOG_RELOAD_INTERVAL", Duration::from_secs(60))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_domain() {
        let config = ListingConfig::load(&Source::default()).expect("defaults");
        assert_eq!(config.screening, ScreeningConfig::default());
        assert_eq!(config.screening.price_share_percent, 30);
        assert_eq!(config.screening.max_hamming_distance, 31);
        assert_eq!(config.image_limits.max_bytes, 10 * 1024 * 1024);
        assert_eq!(config.standing_deadline, Duration::from_millis(50));
        assert_eq!(config.settings.listen_addr.port(), DEFAULT_PORT);
    }

    #[test]
    fn variables_override_and_bad_values_are_named() {
        let source = Source::from_map([
            ("GENUINE_LISTING_HOLD_THRESHOLD", "30"),
            ("GENUINE_LISTING_WEIGHT_REPLICA_VOCABULARY", "90"),
            ("GENUINE_LISTING_STANDING_DEADLINE", "120ms"),
        ]);
        let config = ListingConfig::load(&source).expect("valid");
        assert_eq!(config.screening.hold_threshold, 30);
        assert_eq!(config.screening.weights.replica_vocabulary, 90);
        assert_eq!(config.standing_deadline, Duration::from_millis(120));

        let bad = Source::from_map([("GENUINE_LISTING_PRICE_SHARE_PERCENT", "130")]);
        let err = ListingConfig::load(&bad).expect_err("out of range");
        assert_eq!(err.variable, "GENUINE_LISTING_PRICE_SHARE_PERCENT");
        let crossed = Source::from_map([("GENUINE_LISTING_HOLD_THRESHOLD", "90")]);
        let err = ListingConfig::load(&crossed).expect_err("hold above block");
        assert_eq!(err.variable, "GENUINE_LISTING_HOLD_THRESHOLD");
    }
}
