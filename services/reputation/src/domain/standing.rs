//! A seller's standing from its record: a pure function of the record, the rules and `now`.
//!
//! Score: start from the verification status's base; subtract, for every upheld violation, its
//! severity's weight halved every `half_life` since it was decided, and the same with MAJOR's
//! weight for every failed inspection; add a small capped bonus for passed inspections; clamp to
//! 0–100 and round. Retracted violations are skipped, so retracting one gives back exactly the
//! standing the seller would have had without it. Events dated after `now` weigh as if fresh, so
//! the score never falls as time passes.

use chrono::{DateTime, TimeDelta, Utc};

use super::rules::StandingRules;

/// How heavily a violation weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Minor,
    Major,
    Critical,
}

/// Where the trader's verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationStatus {
    Pending,
    Verified,
    Rejected,
}

/// The result of a quality inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionResult {
    Pass,
    Fail,
}

/// The tiers, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    Trusted,
    Good,
    Watch,
    Restricted,
    Suspended,
}

/// What started a suspension: strikes may lift it again when a retraction drops them below the
/// threshold; a person's decision is only lifted by a person or by its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuspensionOrigin {
    Strikes,
    Manual,
}

/// One violation on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationFact {
    pub severity: Severity,
    pub decided_at: DateTime<Utc>,
    pub retracted: bool,
}

/// One inspection on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionFact {
    pub result: InspectionResult,
    pub inspected_at: DateTime<Utc>,
}

/// The seller's latest suspension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionFact {
    pub suspension_id: String,
    pub origin: SuspensionOrigin,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Set when ended early (reinstated) or recorded as over.
    pub ended_at: Option<DateTime<Utc>>,
}

impl SuspensionFact {
    /// Whether it restricts the seller at `now`.
    #[must_use]
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none() && self.starts_at <= now && now < self.ends_at
    }
}

/// Everything standing is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub verification: VerificationStatus,
    pub violations: Vec<ViolationFact>,
    pub inspections: Vec<InspectionFact>,
    pub suspension: Option<SuspensionFact>,
}

impl Record {
    /// A newly registered seller with nothing on its record.
    #[must_use]
    pub fn new(verification: VerificationStatus) -> Self {
        Self {
            verification,
            violations: Vec::new(),
            inspections: Vec::new(),
            suspension: None,
        }
    }
}

/// The derived standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// 0 (worst) to 100 (best).
    pub score: u8,
    pub tier: Tier,
    /// Upheld violations decided within the strike window.
    pub active_strikes: u32,
    /// Strikes reached the warning threshold.
    pub warned: bool,
    pub suspended: bool,
    /// End and id of the active suspension.
    pub suspension: Option<(String, DateTime<Utc>)>,
    pub verification: VerificationStatus,
}

/// `weight` halved every `half_life` of `age` (negative ages count as zero).
fn decayed(weight: f64, age: TimeDelta, half_life: TimeDelta) -> f64 {
    let age_ms = age.num_milliseconds().max(0);
    let half_life_ms = half_life.num_milliseconds().max(1);
    // Precision loss converting milliseconds to f64 is far below a score point.
    #[allow(clippy::cast_precision_loss)]
    let halvings = age_ms as f64 / half_life_ms as f64;
    weight * (-halvings).exp2()
}

/// Upheld violations decided within the strike window before `now` (or after it).
#[must_use]
pub fn active_strikes(record: &Record, rules: &StandingRules, now: DateTime<Utc>) -> u32 {
    let since = now - rules.strike_window;
    let count = record
        .violations
        .iter()
        .filter(|v| !v.retracted && v.decided_at > since)
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The 0–100 score.
#[must_use]
pub fn score(record: &Record, rules: &StandingRules, now: DateTime<Utc>) -> u8 {
    let mut penalty = 0.0;
    for violation in record.violations.iter().filter(|v| !v.retracted) {
        penalty += decayed(
            rules.weight(violation.severity),
            now - violation.decided_at,
            rules.half_life,
        );
    }
    let mut passes = 0.0;
    for inspection in &record.inspections {
        match inspection.result {
            InspectionResult::Fail => {
                penalty += decayed(
                    rules.weight(Severity::Major),
                    now - inspection.inspected_at,
                    rules.half_life,
                );
            }
            InspectionResult::Pass => passes += rules.pass_bonus,
        }
    }
    let bonus = f64::min(passes, rules.pass_bonus_cap);
    let raw = (rules.base(record.verification) - penalty + bonus).clamp(0.0, 100.0);
    // Clamped to 0..=100 above, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rounded = raw.round() as u8;
    rounded
}

/// The tier of a score, ignoring suspension.
#[must_use]
pub fn tier_of(score: u8, rules: &StandingRules) -> Tier {
    let t = rules.tiers;
    if score >= t.trusted {
        Tier::Trusted
    } else if score >= t.good {
        Tier::Good
    } else if score >= t.watch {
        Tier::Watch
    } else {
        Tier::Restricted
    }
}

/// The standing of `record` at `now`.
#[must_use]
pub fn standing(record: &Record, rules: &StandingRules, now: DateTime<Utc>) -> Standing {
    let score = score(record, rules, now);
    let active_strikes = active_strikes(record, rules, now);
    let suspension = record
        .suspension
        .as_ref()
        .filter(|s| s.is_active(now))
        .map(|s| (s.suspension_id.clone(), s.ends_at));
    let suspended = suspension.is_some();
    Standing {
        score,
        tier: if suspended {
            Tier::Suspended
        } else {
            tier_of(score, rules)
        },
        active_strikes,
        warned: active_strikes >= rules.warning_strikes,
        suspended,
        suspension,
        verification: record.verification,
    }
}

/// Whether recording a violation that moved the standing from `before` to `after` suspends the
/// seller: strikes reached the suspension threshold, the seller had been warned before this
/// violation (DSA Art. 23(1)), and it is not suspended already.
#[must_use]
pub fn violation_suspends(before: &Standing, after: &Standing, rules: &StandingRules) -> bool {
    after.active_strikes >= rules.suspension_strikes
        && after.active_strikes > before.active_strikes
        && before.warned
        && !after.suspended
}

/// Whether the active suspension ends because a retraction dropped the strikes below the
/// threshold: only a suspension that strikes started.
#[must_use]
pub fn retraction_lifts(
    record: &Record,
    after: &Standing,
    rules: &StandingRules,
    now: DateTime<Utc>,
) -> bool {
    record.suspension.as_ref().is_some_and(|s| {
        s.origin == SuspensionOrigin::Strikes
            && s.is_active(now)
            && after.active_strikes < rules.suspension_strikes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default() + TimeDelta::days(days)
    }

    fn violation(severity: Severity, day: i64) -> ViolationFact {
        ViolationFact {
            severity,
            decided_at: at(day),
            retracted: false,
        }
    }

    fn verified() -> Record {
        Record::new(VerificationStatus::Verified)
    }

    #[test]
    fn a_clean_record_scores_its_verification_base() {
        let rules = StandingRules::default();
        let cases = [
            (VerificationStatus::Verified, 100, Tier::Trusted),
            (VerificationStatus::Pending, 80, Tier::Good),
            (VerificationStatus::Rejected, 40, Tier::Restricted),
        ];
        for (status, score, tier) in cases {
            let s = standing(&Record::new(status), &rules, at(0));
            assert_eq!((s.score, s.tier), (score, tier), "{status:?}");
            assert_eq!(s.active_strikes, 0);
            assert!(!s.warned && !s.suspended);
        }
    }

    #[test]
    fn a_fresh_violation_weighs_its_severity_and_halves_each_half_life() {
        let rules = StandingRules::default();
        let cases = [
            (Severity::Minor, 0, 90),
            (Severity::Major, 0, 75),
            (Severity::Critical, 0, 50),
            (Severity::Critical, 90, 75),
            (Severity::Critical, 180, 88),
            (Severity::Major, 90, 88),
        ];
        for (severity, days_later, expected) in cases {
            let mut record = verified();
            record.violations.push(violation(severity, 0));
            assert_eq!(
                score(&record, &rules, at(days_later)),
                expected,
                "{severity:?} +{days_later}d"
            );
        }
    }

    #[test]
    fn failed_inspection_weighs_like_major_and_passes_help_a_little() {
        let rules = StandingRules::default();
        let mut failed = verified();
        failed.inspections.push(InspectionFact {
            result: InspectionResult::Fail,
            inspected_at: at(0),
        });
        let mut major = verified();
        major.violations.push(violation(Severity::Major, 0));
        assert_eq!(
            score(&failed, &rules, at(10)),
            score(&major, &rules, at(10))
        );

        let pass = InspectionFact {
            result: InspectionResult::Pass,
            inspected_at: at(0),
        };
        major.inspections.push(pass.clone());
        assert_eq!(score(&major, &rules, at(0)), 77);
        major.inspections.extend([pass.clone(), pass.clone(), pass]);
        assert_eq!(score(&major, &rules, at(0)), 81, "the bonus is capped at 6");
    }

    #[test]
    fn score_is_clamped_to_zero() {
        let rules = StandingRules::default();
        let mut record = verified();
        record.violations = (0..5).map(|_| violation(Severity::Critical, 0)).collect();
        let s = standing(&record, &rules, at(0));
        assert_eq!((s.score, s.tier), (0, Tier::Restricted));
    }

    #[test]
    fn tiers_follow_the_thresholds() {
        let rules = StandingRules::default();
        let cases = [
            (100, Tier::Trusted),
            (90, Tier::Trusted),
            (89, Tier::Good),
            (70, Tier::Good),
            (69, Tier::Watch),
            (50, Tier::Watch),
            (49, Tier::Restricted),
            (0, Tier::Restricted),
        ];
        for (score, tier) in cases {
            assert_eq!(tier_of(score, &rules), tier, "{score}");
        }
    }

    #[test]
    fn strikes_count_upheld_violations_within_the_window() {
        let rules = StandingRules::default();
        let mut record = verified();
        record.violations.push(violation(Severity::Minor, 0));
        record.violations.push(violation(Severity::Minor, 100));
        record.violations.push(ViolationFact {
            retracted: true,
            ..violation(Severity::Critical, 100)
        });
        assert_eq!(active_strikes(&record, &rules, at(100)), 2);
        assert!(standing(&record, &rules, at(100)).warned);
        // The first leaves the 180-day window at day 180 exactly.
        assert_eq!(active_strikes(&record, &rules, at(179)), 2);
        assert_eq!(active_strikes(&record, &rules, at(180)), 1);
        assert!(!standing(&record, &rules, at(180)).warned);
        assert_eq!(active_strikes(&record, &rules, at(280)), 0);
    }

    #[test]
    fn the_third_strike_after_a_warning_suspends() {
        let rules = StandingRules::default();
        let mut record = verified();
        let mut before = standing(&record, &rules, at(0));
        let mut outcomes = Vec::new();
        for day in 0..3 {
            record.violations.push(violation(Severity::Minor, day));
            let after = standing(&record, &rules, at(day));
            outcomes.push((
                after.active_strikes,
                after.warned,
                violation_suspends(&before, &after, &rules),
            ));
            before = after;
        }
        assert_eq!(
            outcomes,
            [(1, false, false), (2, true, false), (3, true, true)]
        );
    }

    #[test]
    fn an_old_violation_that_is_no_strike_does_not_suspend() {
        let rules = StandingRules::default();
        let mut record = verified();
        record.violations = vec![
            violation(Severity::Minor, 300),
            violation(Severity::Minor, 301),
        ];
        let before = standing(&record, &rules, at(302));
        record.violations.push(violation(Severity::Minor, 0));
        let after = standing(&record, &rules, at(302));
        assert_eq!(after.active_strikes, 2);
        assert!(!violation_suspends(&before, &after, &rules));
    }

    #[test]
    fn a_suspension_makes_the_tier_suspended_until_it_ends() {
        let rules = StandingRules::default();
        let mut record = verified();
        record.suspension = Some(SuspensionFact {
            suspension_id: "s-1".into(),
            origin: SuspensionOrigin::Manual,
            starts_at: at(0),
            ends_at: at(30),
            ended_at: None,
        });
        let during = standing(&record, &rules, at(29));
        assert_eq!(during.tier, Tier::Suspended);
        assert_eq!(during.suspension, Some(("s-1".to_owned(), at(30))));
        let after = standing(&record, &rules, at(30));
        assert_eq!((after.tier, after.suspended), (Tier::Trusted, false));
        if let Some(s) = record.suspension.as_mut() {
            s.ended_at = Some(at(1));
        }
        assert!(
            !standing(&record, &rules, at(2)).suspended,
            "reinstated early"
        );
    }

    #[test]
    fn retraction_lifts_only_strike_suspensions_below_the_threshold() {
        let rules = StandingRules::default();
        let mut record = verified();
        record.violations = (0..3).map(|d| violation(Severity::Minor, d)).collect();
        record.suspension = Some(SuspensionFact {
            suspension_id: "s-1".into(),
            origin: SuspensionOrigin::Strikes,
            starts_at: at(2),
            ends_at: at(32),
            ended_at: None,
        });
        let still_three = standing(&record, &rules, at(5));
        assert!(!retraction_lifts(&record, &still_three, &rules, at(5)));
        record.violations[1].retracted = true;
        let two = standing(&record, &rules, at(5));
        assert!(retraction_lifts(&record, &two, &rules, at(5)));
        if let Some(s) = record.suspension.as_mut() {
            s.origin = SuspensionOrigin::Manual;
        }
        assert!(!retraction_lifts(&record, &two, &rules, at(5)));
    }
}
