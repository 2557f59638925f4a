//! The reputation service's configuration: the common settings plus the standing model's
//! numbers, each from a `GENUINE_REPUTATION_*` variable with the documented default.
//!
//! | variable | default |
//! |---|---|
//! | `GENUINE_REPUTATION_HALF_LIFE` | `90d` |
//! | `GENUINE_REPUTATION_STRIKE_WINDOW` | `180d` |
//! | `GENUINE_REPUTATION_WARNING_STRIKES` | `2` |
//! | `GENUINE_REPUTATION_SUSPENSION_STRIKES` | `3` |
//! | `GENUINE_REPUTATION_SUSPENSION_PERIOD` | `30d` |
//! | `GENUINE_REPUTATION_RETENTION` (closed sellers' traceability data, then anonymised) | `183d` |
//! | `GENUINE_REPUTATION_MINOR_WEIGHT` / `_MAJOR_WEIGHT` / `_CRITICAL_WEIGHT` | `10` / `25` / `50` |
//! | `GENUINE_REPUTATION_PASS_BONUS` / `_PASS_BONUS_CAP` | `2` / `6` |
//! | `GENUINE_REPUTATION_TIER_TRUSTED` / `_TIER_GOOD` / `_TIER_WATCH` | `90` / `70` / `50` |

use genuine_runtime::config::{ConfigError, ServiceSettings, Source};

use crate::domain::{StandingRules, TierThresholds};
use crate::{DEFAULT_PORT, NAME};

/// Everything the reputation service reads at start.
#[derive(Debug, Clone)]
pub struct ReputationConfig {
    /// Listen address, database, auth, peers, limits.
    pub settings: ServiceSettings,
    /// The standing model's numbers.
    pub rules: StandingRules,
}

impl ReputationConfig {
    /// Reads the configuration from `source`.
    ///
    /// # Errors
    /// The first bad value, naming its variable.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let settings = ServiceSettings::load(source, NAME, DEFAULT_PORT)?;
        let s = source.scoped(NAME);
        let defaults = StandingRules::default();
        let rules = StandingRules {
            half_life: s.time_delta("HALF_LIFE", defaults.half_life)?,
            strike_window: s.time_delta("STRIKE_WINDOW", defaults.strike_window)?,
            warning_strikes: s.ranged("WARNING_STRIKES", defaults.warning_strikes, 1..=100)?,
            suspension_strikes: s.ranged(
                "SUSPENSION_STRIKES",
                defaults.suspension_strikes,
                1..=100,
            )?,
            suspension_period: s.time_delta("SUSPENSION_PERIOD", defaults.suspension_period)?,
            retention: s.time_delta("RETENTION", defaults.retention)?,
            minor_weight: s.ranged("MINOR_WEIGHT", defaults.minor_weight, 0.0..=100.0)?,
            major_weight: s.ranged("MAJOR_WEIGHT", defaults.major_weight, 0.0..=100.0)?,
            critical_weight: s.ranged("CRITICAL_WEIGHT", defaults.critical_weight, 0.0..=100.0)?,
            pass_bonus: s.ranged("PASS_BONUS", defaults.pass_bonus, 0.0..=100.0)?,
            pass_bonus_cap: s.ranged("PASS_BONUS_CAP", defaults.pass_bonus_cap, 0.0..=100.0)?,
            tiers: TierThresholds {
                trusted: s.ranged("TIER_TRUSTED", defaults.tiers.trusted, 0..=100)?,
                good: s.ranged("TIER_GOOD", defaults.tiers.good, 0..=100)?,
                watch: s.ranged("TIER_WATCH", defaults.tiers.watch, 0..=100)?,
            },
            ..defaults
        };
        if let Some((key, message)) = rules.problems().into_iter().next() {
            return Err(ConfigError::new(s.variable(key), message));
        }
        Ok(Self { settings, rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_rules() {
        let config = ReputationConfig::load(&Source::default()).expect("defaults");
        assert_eq!(config.rules, StandingRules::default());
        assert_eq!(config.settings.listen_addr.port(), DEFAULT_PORT);
    }

    #[test]
    fn variables_override_and_bad_values_are_named() {
        let source = Source::from_map([
            ("GENUINE_REPUTATION_HALF_LIFE", "30d"),
            ("GENUINE_REPUTATION_SUSPENSION_STRIKES", "4"),
            ("GENUINE_REPUTATION_TIER_WATCH", "40"),
        ]);
        let config = ReputationConfig::load(&source).expect("valid");
        assert_eq!(config.rules.half_life, chrono::TimeDelta::days(30));
        assert_eq!(config.rules.suspension_strikes, 4);
        assert_eq!(config.rules.tiers.watch, 40);

        let bad = Source::from_map([("GENUINE_REPUTATION_STRIKE_WINDOW", "soon")]);
        let err = ReputationConfig::load(&bad).expect_err("bad duration");
        assert_eq!(err.variable, "GENUINE_REPUTATION_STRIKE_WINDOW");

        let inconsistent = Source::from_map([("GENUINE_REPUTATION_SUSPENSION_STRIKES", "2")]);
        let err = ReputationConfig::load(&inconsistent).expect_err("no prior warning");
        assert_eq!(err.variable, "GENUINE_REPUTATION_SUSPENSION_STRIKES");
    }
}
