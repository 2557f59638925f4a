//! The numbers of the standing model. Defaults follow DOMAIN.md ("Sellers: traceability and
//! standing"): 90-day half-life, strikes over 180 days, warning at 2, suspension at 3 for 30 days.

use chrono::TimeDelta;

use super::standing::{Severity, VerificationStatus};

/// Score thresholds of the tiers (a score at or above a threshold earns that tier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierThresholds {
    /// Lowest score of TRUSTED.
    pub trusted: u8,
    /// Lowest score of GOOD.
    pub good: u8,
    /// Lowest score of WATCH; below it a seller is RESTRICTED.
    pub watch: u8,
}

/// Every tunable number of the standing model.
#[derive(Debug, Clone, PartialEq)]
pub struct StandingRules {
    /// Time after which a violation or failed inspection weighs half as much.
    pub half_life: TimeDelta,
    /// Upheld violations decided within this window are strikes.
    pub strike_window: TimeDelta,
    /// Strikes at which the seller is warned (DSA Art. 23(1) "prior warning").
    pub warning_strikes: u32,
    /// Strikes at which a warned seller is suspended.
    pub suspension_strikes: u32,
    /// Default length of a suspension.
    pub suspension_period: TimeDelta,
    /// Penalty of a fresh MINOR violation, in score points.
    pub minor_weight: f64,
    /// Penalty of a fresh MAJOR violation (and of a fresh failed inspection).
    pub major_weight: f64,
    /// Penalty of a fresh CRITICAL violation.
    pub critical_weight: f64,
    /// Points each passed inspection adds (not decaying: a clean history stays clean).
    pub pass_bonus: f64,
    /// Cap on the total bonus of passed inspections.
    pub pass_bonus_cap: f64,
    /// Starting score of a verified trader.
    pub base_verified: f64,
    /// Starting score of a trader not verified yet.
    pub base_pending: f64,
    /// Starting score of a trader whose verification failed.
    pub base_rejected: f64,
    /// Tier thresholds.
    pub tiers: TierThresholds,
    /// How long a closed seller's traceability data is kept before it is anonymised (DSA
    /// Art. 30: the relationship plus 6 months; 183 days covers the longest 6 months).
    pub retention: TimeDelta,
}

impl Default for StandingRules {
    fn default() -> Self {
        Self {
            half_life: TimeDelta::days(90),
            strike_window: TimeDelta::days(180),
            warning_strikes: 2,
            suspension_strikes: 3,
            suspension_period: TimeDelta::days(30),
            retention: TimeDelta::days(183),
            minor_weight: 10.0,
            major_weight: 25.0,
            critical_weight: 50.0,
            pass_bonus: 2.0,
            pass_bonus_cap: 6.0,
            base_verified: 100.0,
            base_pending: 80.0,
            base_rejected: 40.0,
            tiers: TierThresholds {
                trusted: 90,
                good: 70,
                watch: 50,
            },
        }
    }
}

impl StandingRules {
    /// The penalty of a fresh violation of `severity`.
    #[must_use]
    pub fn weight(&self, severity: Severity) -> f64 {
        match severity {
            Severity::Minor => self.minor_weight,
            Severity::Major => self.major_weight,
            Severity::Critical => self.critical_weight,
        }
    }

    /// The starting score for a verification status.
    #[must_use]
    pub fn base(&self, status: VerificationStatus) -> f64 {
        match status {
            VerificationStatus::Verified => self.base_verified,
            VerificationStatus::Pending => self.base_pending,
            VerificationStatus::Rejected => self.base_rejected,
        }
    }

    /// Why these rules cannot work, if they cannot: each problem as (setting, message), so the
    /// configuration layer can name the variable.
    #[must_use]
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let positive = [
            ("HALF_LIFE", self.half_life),
            ("STRIKE_WINDOW", self.strike_window),
            ("SUSPENSION_PERIOD", self.suspension_period),
        ];
        for (name, value) in positive {
            if value <= TimeDelta::zero() {
                problems.push((name, "must be longer than zero".to_owned()));
            }
        }
        if self.warning_strikes == 0 {
            problems.push(("WARNING_STRIKES", "must be at least 1".to_owned()));
        }
        if self.suspension_strikes <= self.warning_strikes {
            problems.push((
                "SUSPENSION_STRIKES",
                format!(
                    "must be above the warning threshold ({}): a suspension needs a prior warning",
                    self.warning_strikes
                ),
            ));
        }
        let t = self.tiers;
        if !(t.trusted <= 100 && t.good < t.trusted && t.watch < t.good) {
            problems.push((
                "TIER_TRUSTED",
                "tier thresholds must satisfy watch < good < trusted <= 100".to_owned(),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones_and_valid() {
        let rules = StandingRules::default();
        assert_eq!(rules.half_life, TimeDelta::days(90));
        assert_eq!(rules.strike_window, TimeDelta::days(180));
        assert_eq!((rules.warning_strikes, rules.suspension_strikes), (2, 3));
        assert_eq!(rules.suspension_period, TimeDelta::days(30));
        assert!(rules.problems().is_empty());
    }

    #[test]
    fn severity_orders_the_weights() {
        let rules = StandingRules::default();
        assert!(rules.weight(Severity::Minor) < rules.weight(Severity::Major));
        assert!(rules.weight(Severity::Major) < rules.weight(Severity::Critical));
    }

    #[test]
    fn impossible_rules_are_named() {
        let rules = StandingRules {
            half_life: TimeDelta::zero(),
            warning_strikes: 3,
            suspension_strikes: 3,
            tiers: TierThresholds {
                trusted: 50,
                good: 60,
                watch: 10,
            },
            ..StandingRules::default()
        };
        let names: Vec<_> = rules.problems().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["HALF_LIFE", "SUSPENSION_STRIKES", "TIER_TRUSTED"]);
    }
}
