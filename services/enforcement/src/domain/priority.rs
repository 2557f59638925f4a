//! Handling order and the notifier's track record: good-faith notifiers get priority (and
//! measures on receipt); notifiers who file manifestly unfounded notices frequently are warned,
//! then suspended (DSA Art. 23(2)).

use super::vocabulary::NoticeSource;

/// Handling order: lower rank first. Stored as the rank so `ORDER BY priority` is the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Regulator and trusted-flagger notices.
    Urgent,
    /// Good-faith rights holders.
    High,
    /// Everyone else.
    Normal,
}

impl Priority {
    /// The stored rank (1 first).
    #[must_use]
    pub const fn rank(self) -> i32 {
        match self {
            Self::Urgent => 1,
            Self::High => 2,
            Self::Normal => 3,
        }
    }

    /// The priority of a stored rank; unknown ranks are handled last.
    #[must_use]
    pub const fn from_rank(rank: i32) -> Self {
        match rank {
            1 => Self::Urgent,
            2 => Self::High,
            _ => Self::Normal,
        }
    }

    /// The priority of a notice from `source`; `good_faith` is the notifier's standing.
    #[must_use]
    pub const fn of_notice(source: NoticeSource, good_faith: bool) -> Self {
        match source {
            NoticeSource::Regulator | NoticeSource::TrustedFlagger => Self::Urgent,
            NoticeSource::RightsHolder if good_faith => Self::High,
            _ => Self::Normal,
        }
    }
}

/// The thresholds of the good-faith programme and of misuse handling (all configurable).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackRecordPolicy {
    /// Least upheld share for good faith (0.90).
    pub min_upheld_share: f64,
    /// Greatest share of notices defeated by a counter-notice for good faith (0.05).
    pub max_successful_counter_share: f64,
    /// Fewest decided notices before a share means anything.
    pub min_decided: u32,
    /// Rejected (manifestly unfounded) notices in the period that earn a warning.
    pub unfounded_warning: u32,
    /// Rejected notices in the period, after a warning, that suspend processing.
    pub unfounded_suspension: u32,
}

impl Default for TrackRecordPolicy {
    fn default() -> Self {
        Self {
            min_upheld_share: 0.90,
            max_successful_counter_share: 0.05,
            min_decided: 10,
            unfounded_warning: 5,
            unfounded_suspension: 10,
        }
    }
}

/// A notifier's decided notices over the look-back period (3 months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackRecord {
    /// Decided cases the notifier's notices were part of.
    pub decided: u32,
    /// Of those, upheld.
    pub upheld: u32,
    /// Of those, rejected.
    pub rejected: u32,
    /// Upheld cases whose measures were lifted after a counter-notice.
    pub successful_counter_notices: u32,
}

impl TrackRecord {
    /// Whether the notifier is in good faith under `policy`.
    #[must_use]
    pub fn is_good_faith(&self, policy: &TrackRecordPolicy) -> bool {
        if self.decided == 0 || self.decided < policy.min_decided {
            return false;
        }
        let decided = f64::from(self.decided);
        f64::from(self.upheld) / decided >= policy.min_upheld_share
            && f64::from(self.successful_counter_notices) / decided
                <= policy.max_successful_counter_share
    }

    /// What to do about misuse, given whether the notifier was warned already.
    #[must_use]
    pub const fn misuse_action(
        &self,
        already_warned: bool,
        policy: &TrackRecordPolicy,
    ) -> MisuseAction {
        if already_warned && self.rejected >= policy.unfounded_suspension {
            MisuseAction::Suspend
        } else if !already_warned && self.rejected >= policy.unfounded_warning {
            MisuseAction::Warn
        } else {
            MisuseAction::None
        }
    }
}

/// The step of the Art. 23(2) procedure due for a notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MisuseAction {
    None,
    Warn,
    Suspend,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regulators_and_trusted_flaggers_first_then_good_faith_rights_holders() {
        use NoticeSource as S;
        let cases = [
            (S::Regulator, false, Priority::Urgent),
            (S::TrustedFlagger, false, Priority::Urgent),
            (S::RightsHolder, true, Priority::High),
            (S::RightsHolder, false, Priority::Normal),
            (S::Consumer, true, Priority::Normal),
            (S::AutomatedDetection, false, Priority::Normal),
        ];
        for (source, good_faith, expected) in cases {
            assert_eq!(
                Priority::of_notice(source, good_faith),
                expected,
                "{source}"
            );
        }
        assert!(
            Priority::Urgent.rank() < Priority::High.rank()
                && Priority::High.rank() < Priority::Normal.rank()
        );
        for p in [Priority::Urgent, Priority::High, Priority::Normal] {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
    }

    #[test]
    fn good_faith_needs_both_shares_at_their_thresholds() {
        let policy = TrackRecordPolicy::default();
        let record = |decided, upheld, counters| TrackRecord {
            decided,
            upheld,
            rejected: decided - upheld,
            successful_counter_notices: counters,
        };
        assert!(
            record(20, 18, 1).is_good_faith(&policy),
            "exactly 90 % and 5 %"
        );
        assert!(!record(20, 17, 0).is_good_faith(&policy), "85 % upheld");
        assert!(
            !record(20, 20, 2).is_good_faith(&policy),
            "10 % counter-notices"
        );
        assert!(!record(9, 9, 0).is_good_faith(&policy), "too few decided");
        assert!(!TrackRecord::default().is_good_faith(&TrackRecordPolicy {
            min_decided: 0,
            ..policy
        }));
    }

    #[test]
    fn misuse_is_warned_before_it_is_suspended() {
        let policy = TrackRecordPolicy::default();
        let rejected = |n| TrackRecord {
            decided: n,
            upheld: 0,
            rejected: n,
            successful_counter_notices: 0,
        };
        assert_eq!(
            rejected(4).misuse_action(false, &policy),
            MisuseAction::None
        );
        assert_eq!(
            rejected(5).misuse_action(false, &policy),
            MisuseAction::Warn
        );
        assert_eq!(rejected(9).misuse_action(true, &policy), MisuseAction::None);
        assert_eq!(
            rejected(10).misuse_action(true, &policy),
            MisuseAction::Suspend
        );
        assert_eq!(
            rejected(50).misuse_action(false, &policy),
            MisuseAction::Warn,
            "never suspended unwarned"
        );
    }
}
