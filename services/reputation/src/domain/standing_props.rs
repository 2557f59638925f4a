//! Property tests of the standing model over random records.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;

use super::rules::StandingRules;
use super::standing::{
    InspectionFact, InspectionResult, Record, Severity, VerificationStatus, ViolationFact, score,
    standing, tier_of, violation_suspends,
};

fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
}

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        Just(Severity::Minor),
        Just(Severity::Major),
        Just(Severity::Critical)
    ]
}

fn verification() -> impl Strategy<Value = VerificationStatus> {
    prop_oneof![
        Just(VerificationStatus::Pending),
        Just(VerificationStatus::Verified),
        Just(VerificationStatus::Rejected),
    ]
}

/// Times within two years of the epoch, to the minute.
fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0_i64..(2 * 365 * 24 * 60)).prop_map(|minutes| epoch() + TimeDelta::minutes(minutes))
}

fn violation() -> impl Strategy<Value = ViolationFact> {
    (severity(), time(), any::<bool>()).prop_map(|(severity, decided_at, retracted)| {
        ViolationFact {
            severity,
            decided_at,
            retracted,
        }
    })
}

fn inspection() -> impl Strategy<Value = InspectionFact> {
    (any::<bool>(), time()).prop_map(|(pass, inspected_at)| InspectionFact {
        result: if pass {
            InspectionResult::Pass
        } else {
            InspectionResult::Fail
        },
        inspected_at,
    })
}

fn record() -> impl Strategy<Value = Record> {
    (
        verification(),
        prop::collection::vec(violation(), 0..12),
        prop::collection::vec(inspection(), 0..6),
    )
        .prop_map(|(verification, violations, inspections)| Record {
            verification,
            violations,
            inspections,
            suspension: None,
        })
}

proptest! {
    #[test]
    fn score_never_falls_as_time_passes(record in record(), now in time(), later in 0_i64..(400 * 24 * 60)) {
        let rules = StandingRules::default();
        let later_now = now + TimeDelta::minutes(later);
        prop_assert!(score(&record, &rules, later_now) >= score(&record, &rules, now));
        let (a, b) = (standing(&record, &rules, now), standing(&record, &rules, later_now));
        prop_assert!(b.active_strikes <= a.active_strikes);
        prop_assert!(b.tier <= a.tier, "tier got worse: {:?} -> {:?}", a.tier, b.tier);
    }

    #[test]
    fn retraction_restores_the_prior_standing_exactly(
        record in record(),
        added in violation(),
        position in any::<prop::sample::Index>(),
        now in time(),
    ) {
        let rules = StandingRules::default();
        let prior = standing(&record, &rules, now);
        let mut with_retracted = record.clone();
        let at = position.index(record.violations.len() + 1);
        with_retracted.violations.insert(at, ViolationFact { retracted: true, ..added });
        prop_assert_eq!(standing(&with_retracted, &rules, now), prior);
    }

    #[test]
    fn an_upheld_violation_never_helps(record in record(), added in violation(), now in time()) {
        let rules = StandingRules::default();
        let prior = standing(&record, &rules, now);
        let mut worse = record.clone();
        worse.violations.push(ViolationFact { retracted: false, ..added });
        let after = standing(&worse, &rules, now);
        prop_assert!(after.score <= prior.score);
        prop_assert!(after.active_strikes >= prior.active_strikes);
    }

    #[test]
    fn scores_stay_in_range_and_tiers_match_thresholds(record in record(), now in time()) {
        let rules = StandingRules::default();
        let s = standing(&record, &rules, now);
        prop_assert!(s.score <= 100);
        prop_assert_eq!(s.tier, tier_of(s.score, &rules));
        prop_assert_eq!(s.warned, s.active_strikes >= rules.warning_strikes);
        let t = rules.tiers;
        let expected_floor = match s.tier {
            super::standing::Tier::Trusted => t.trusted,
            super::standing::Tier::Good => t.good,
            super::standing::Tier::Watch => t.watch,
            _ => 0,
        };
        prop_assert!(s.score >= expected_floor);
    }

    #[test]
    fn suspension_needs_the_threshold_and_a_prior_warning(record in record(), added in violation(), now in time()) {
        let rules = StandingRules::default();
        let before = standing(&record, &rules, now);
        let mut next = record.clone();
        next.violations.push(ViolationFact { retracted: false, ..added });
        let after = standing(&next, &rules, now);
        if violation_suspends(&before, &after, &rules) {
            prop_assert!(after.active_strikes >= rules.suspension_strikes);
            prop_assert!(before.active_strikes >= rules.warning_strikes);
        }
        if before.active_strikes + 1 == rules.suspension_strikes && after.active_strikes == rules.suspension_strikes {
            prop_assert!(violation_suspends(&before, &after, &rules));
        }
    }

    #[test]
    fn standing_is_deterministic(record in record(), now in time()) {
        let rules = StandingRules::default();
        prop_assert_eq!(standing(&record, &rules, now), standing(&record.clone(), &rules, now));
    }
}
