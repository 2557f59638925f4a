//! The case state machine. Each allowed (status, event) pair gives the next status and the effects
//! to carry out (in the same transaction, through the outbox); every other pair is refused with
//! `FAILED_PRECONDITION` naming the current status.

use genuine_runtime::errors::ServiceError;

use super::vocabulary::{AppealOutcome, CaseOutcome, NoticeGround};

named_enum!(
    /// Where a case is.
    CaseStatus {
        Open => "OPEN",
        ActionTaken => "ACTION_TAKEN",
        Rejected => "REJECTED",
        /// A counter-notice was forwarded; the window is running.
        CounterNoticePending => "COUNTER_NOTICE_PENDING",
        MeasuresLifted => "MEASURES_LIFTED",
        MeasuresMaintained => "MEASURES_MAINTAINED",
        Reversed => "REVERSED",
    }
);

impl CaseStatus {
    /// Whether a new notice on the same listing joins this case (otherwise it opens a new one):
    /// a case joins while it is undecided or its measures are in force.
    #[must_use]
    pub fn accepts_notices(self) -> bool {
        apply(
            self,
            CaseEvent::JoinNotice,
            Measures::default(),
            NoticeGround::Counterfeit,
        )
        .is_ok()
    }
}

/// Something that happens to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent {
    /// Another notice names the case's listing.
    JoinNotice,
    /// Measures on receipt (regulator, good-faith rights holder).
    TakeDownOnReceipt,
    /// A reviewer decides.
    Decide(CaseOutcome),
    /// The seller declares non-infringement.
    FileCounterNotice,
    /// The rights holder proves a complaint or lawsuit in time.
    ConfirmLegalAction,
    /// The counter-notice window ended without legal action.
    WindowExpired,
    /// The seller or notifier appeals.
    FileAppeal,
    /// A reviewer decides an appeal.
    DecideAppeal(AppealOutcome),
}

impl CaseEvent {
    /// Every event, for exhaustive tests.
    pub const ALL: [Self; 10] = [
        Self::JoinNotice,
        Self::TakeDownOnReceipt,
        Self::Decide(CaseOutcome::Uphold),
        Self::Decide(CaseOutcome::Reject),
        Self::FileCounterNotice,
        Self::ConfirmLegalAction,
        Self::WindowExpired,
        Self::FileAppeal,
        Self::DecideAppeal(AppealOutcome::Reverse),
        Self::DecideAppeal(AppealOutcome::Uphold),
    ];

    /// What the event is called in messages.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::JoinNotice => "joining a notice",
            Self::TakeDownOnReceipt => "taking down on receipt",
            Self::Decide(CaseOutcome::Uphold) => "upholding",
            Self::Decide(CaseOutcome::Reject) => "rejecting",
            Self::FileCounterNotice => "a counter-notice",
            Self::ConfirmLegalAction => "confirming legal action",
            Self::WindowExpired => "ending the counter-notice window",
            Self::FileAppeal => "an appeal",
            Self::DecideAppeal(AppealOutcome::Reverse) => "reversing on appeal",
            Self::DecideAppeal(AppealOutcome::Uphold) => "upholding on appeal",
        }
    }
}

/// Which measures of this case are in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measures {
    /// The listing was taken down for this case.
    pub listing_down: bool,
    /// A violation was recorded against the seller for this case.
    pub violation_recorded: bool,
    /// The listing service's screening holds or blocks the listing, and this case was opened for
    /// it: a restoration (after review) releases it too.
    pub screening_hold: bool,
}

/// What a statement of reasons is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// A restriction imposed (takedown).
    Restriction,
    /// A restriction lifted because the decision was reversed.
    Reversal,
}

/// A consequence of a transition, carried out in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Listing service: `TakeDownListing` keyed by the case.
    TakeDown,
    /// Listing service: `RestoreListing` keyed by the case.
    Restore,
    /// Reputation service: `RecordViolation` keyed by the case.
    RecordViolation,
    /// Reputation service: `RetractViolation` keyed by the case.
    RetractViolation,
    /// Forward the counter-notice to the notifiers (an outbound notification record).
    ForwardCounterNotice,
    /// Start the counter-notice window (a durable deadline).
    StartWindow,
    /// Cancel the counter-notice window.
    CancelWindow,
    /// Issue a statement of reasons.
    IssueStatement(StatementKind),
    /// Record buyer information (DSA Art. 32).
    InformBuyers,
}

/// An allowed transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The status after the event.
    pub to: CaseStatus,
    /// What to do, in order.
    pub effects: Vec<Effect>,
    /// The measures in force afterwards.
    pub measures: Measures,
}

/// A refused transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The current status.
    pub status: CaseStatus,
    /// The event refused.
    pub event: CaseEvent,
}

impl Refused {
    /// `FAILED_PRECONDITION` naming the case and its current status.
    #[must_use]
    pub fn into_error(self, case_id: &str) -> ServiceError {
        ServiceError::failed_precondition(
            "CASE_STATUS",
            format!("cases/{case_id}"),
            format!(
                "case {case_id} is {}; {} is not allowed in that status",
                self.status,
                self.event.describe()
            ),
        )
    }
}

/// The transition for `event` in `status`, given the case's `measures` and `ground`.
///
/// # Errors
/// [`Refused`] when the state machine has no such transition.
pub fn apply(
    status: CaseStatus,
    event: CaseEvent,
    measures: Measures,
    ground: NoticeGround,
) -> Result<Transition, Refused> {
    use CaseStatus as S;
    let refused = Refused { status, event };
    let mut plan = Plan::new(measures);
    let to = match (status, event) {
        (
            S::Open | S::ActionTaken | S::CounterNoticePending | S::MeasuresMaintained,
            CaseEvent::JoinNotice,
        ) => status,
        (S::Open, CaseEvent::TakeDownOnReceipt) => {
            if !measures.listing_down {
                plan.take_down();
                plan.push(Effect::IssueStatement(StatementKind::Restriction));
            }
            S::Open
        }
        (S::Open, CaseEvent::Decide(CaseOutcome::Uphold))
        | (S::Rejected, CaseEvent::DecideAppeal(AppealOutcome::Reverse)) => {
            plan.uphold(ground);
            S::ActionTaken
        }
        (S::Open, CaseEvent::Decide(CaseOutcome::Reject)) => {
            plan.restore();
            S::Rejected
        }
        (S::ActionTaken, CaseEvent::FileCounterNotice) => {
            plan.push(Effect::ForwardCounterNotice);
            plan.push(Effect::StartWindow);
            S::CounterNoticePending
        }
        (S::CounterNoticePending, CaseEvent::ConfirmLegalAction) => {
            plan.push(Effect::CancelWindow);
            S::MeasuresMaintained
        }
        (S::CounterNoticePending, CaseEvent::WindowExpired) => {
            plan.restore();
            plan.retract();
            S::MeasuresLifted
        }
        (
            S::ActionTaken | S::Rejected | S::CounterNoticePending | S::MeasuresMaintained,
            CaseEvent::FileAppeal,
        )
        | (
            S::ActionTaken
            | S::Rejected
            | S::CounterNoticePending
            | S::MeasuresMaintained
            | S::MeasuresLifted,
            CaseEvent::DecideAppeal(AppealOutcome::Uphold),
        ) => status,
        (
            S::ActionTaken | S::CounterNoticePending | S::MeasuresMaintained | S::MeasuresLifted,
            CaseEvent::DecideAppeal(AppealOutcome::Reverse),
        ) => {
            if status == S::CounterNoticePending {
                plan.push(Effect::CancelWindow);
            }
            plan.restore();
            plan.retract();
            plan.push(Effect::IssueStatement(StatementKind::Reversal));
            S::Reversed
        }
        _ => return Err(refused),
    };
    Ok(Transition {
        to,
        effects: plan.effects,
        measures: plan.measures,
    })
}

/// Effects collected while keeping track of which measures are in force, so nothing is taken
/// down twice or restored when it was never taken down.
struct Plan {
    effects: Vec<Effect>,
    measures: Measures,
}

impl Plan {
    fn new(measures: Measures) -> Self {
        Self {
            effects: Vec::new(),
            measures,
        }
    }

    fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    fn take_down(&mut self) {
        if !self.measures.listing_down {
            self.measures.listing_down = true;
            self.push(Effect::TakeDown);
        }
    }

    fn restore(&mut self) {
        if self.measures.listing_down || self.measures.screening_hold {
            self.measures.listing_down = false;
            self.measures.screening_hold = false;
            self.push(Effect::Restore);
        }
    }

    fn retract(&mut self) {
        if self.measures.violation_recorded {
            self.measures.violation_recorded = false;
            self.push(Effect::RetractViolation);
        }
    }

    fn uphold(&mut self, ground: NoticeGround) {
        self.take_down();
        if !self.measures.violation_recorded {
            self.measures.violation_recorded = true;
            self.push(Effect::RecordViolation);
        }
        self.push(Effect::IssueStatement(StatementKind::Restriction));
        if ground.product_is_illegal() {
            self.push(Effect::InformBuyers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus as S;
    use super::*;
    use genuine_runtime::errors::ErrorCode;

    const G: NoticeGround = NoticeGround::Counterfeit;

    /// The expected next status for every (status, event); `None` is refused.
    fn expected(status: S, event: CaseEvent) -> Option<S> {
        use AppealOutcome as A;
        use CaseEvent as E;
        use CaseOutcome as O;
        let table: &[(S, [Option<S>; 10])] = &[
            // JoinNotice, TakeDownOnReceipt, Uphold, Reject, CounterNotice, LegalAction, WindowExpired, FileAppeal, AppealReverse, AppealUphold
            (
                S::Open,
                [
                    Some(S::Open),
                    Some(S::Open),
                    Some(S::ActionTaken),
                    Some(S::Rejected),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
            ),
            (
                S::ActionTaken,
                [
                    Some(S::ActionTaken),
                    None,
                    None,
                    None,
                    Some(S::CounterNoticePending),
                    None,
                    None,
                    Some(S::ActionTaken),
                    Some(S::Reversed),
                    Some(S::ActionTaken),
                ],
            ),
            (
                S::Rejected,
                [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Rejected),
                    Some(S::ActionTaken),
                    Some(S::Rejected),
                ],
            ),
            (
                S::CounterNoticePending,
                [
                    Some(S::CounterNoticePending),
                    None,
                    None,
                    None,
                    None,
                    Some(S::MeasuresMaintained),
                    Some(S::MeasuresLifted),
                    Some(S::CounterNoticePending),
                    Some(S::Reversed),
                    Some(S::CounterNoticePending),
                ],
            ),
            (
                S::MeasuresLifted,
                [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Reversed),
                    Some(S::MeasuresLifted),
                ],
            ),
            (
                S::MeasuresMaintained,
                [
                    Some(S::MeasuresMaintained),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::MeasuresMaintained),
                    Some(S::Reversed),
                    Some(S::MeasuresMaintained),
                ],
            ),
            (
                S::Reversed,
                [None, None, None, None, None, None, None, None, None, None],
            ),
        ];
        let column = match event {
            E::JoinNotice => 0,
            E::TakeDownOnReceipt => 1,
            E::Decide(O::Uphold) => 2,
            E::Decide(O::Reject) => 3,
            E::FileCounterNotice => 4,
            E::ConfirmLegalAction => 5,
            E::WindowExpired => 6,
            E::FileAppeal => 7,
            E::DecideAppeal(A::Reverse) => 8,
            E::DecideAppeal(A::Uphold) => 9,
        };
        table
            .iter()
            .find(|(s, _)| *s == status)
            .expect("every status in the table")
            .1[column]
    }

    #[test]
    fn every_status_and_event_follows_the_table() {
        let measure_sets = [
            Measures::default(),
            Measures {
                listing_down: true,
                violation_recorded: false,
                ..Measures::default()
            },
            Measures {
                listing_down: true,
                violation_recorded: true,
                ..Measures::default()
            },
        ];
        let measure_sets = [
            measure_sets[0],
            measure_sets[1],
            measure_sets[2],
            Measures {
                screening_hold: true,
                ..Measures::default()
            },
        ];
        let mut checked = 0;
        for status in S::ALL {
            for event in CaseEvent::ALL {
                for measures in measure_sets {
                    let got = apply(*status, event, measures, G);
                    match expected(*status, event) {
                        Some(to) => assert_eq!(got.map(|t| t.to), Ok(to), "{status} × {event:?}"),
                        None => assert_eq!(
                            got,
                            Err(Refused {
                                status: *status,
                                event
                            }),
                            "{status} × {event:?}"
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 10 * 4);
    }

    #[test]
    fn refusal_is_failed_precondition_naming_the_status() {
        let refused = apply(
            S::Rejected,
            CaseEvent::FileCounterNotice,
            Measures::default(),
            G,
        )
        .expect_err("refused");
        let error = refused.into_error("c-1");
        assert_eq!(error.code(), ErrorCode::FailedPrecondition);
        assert!(error.message().contains("REJECTED"), "{}", error.message());
        assert_eq!(error.preconditions()[0].subject, "cases/c-1");
    }

    #[test]
    fn uphold_takes_down_unless_already_down_and_records_once() {
        let fresh = apply(
            S::Open,
            CaseEvent::Decide(CaseOutcome::Uphold),
            Measures::default(),
            G,
        )
        .expect("allowed");
        assert_eq!(
            fresh.effects,
            [
                Effect::TakeDown,
                Effect::RecordViolation,
                Effect::IssueStatement(StatementKind::Restriction),
                Effect::InformBuyers
            ]
        );
        let down = Measures {
            listing_down: true,
            violation_recorded: false,
            ..Measures::default()
        };
        let already = apply(
            S::Open,
            CaseEvent::Decide(CaseOutcome::Uphold),
            down,
            NoticeGround::MisleadingInformation,
        )
        .expect("allowed");
        assert_eq!(
            already.effects,
            [
                Effect::RecordViolation,
                Effect::IssueStatement(StatementKind::Restriction)
            ]
        );
        assert_eq!(
            already.measures,
            Measures {
                listing_down: true,
                violation_recorded: true,
                ..Measures::default()
            }
        );
    }

    #[test]
    fn reject_restores_only_a_measure_of_this_case() {
        let none = apply(
            S::Open,
            CaseEvent::Decide(CaseOutcome::Reject),
            Measures::default(),
            G,
        )
        .expect("allowed");
        assert!(none.effects.is_empty());
        let down = Measures {
            listing_down: true,
            violation_recorded: false,
            ..Measures::default()
        };
        let restored =
            apply(S::Open, CaseEvent::Decide(CaseOutcome::Reject), down, G).expect("allowed");
        assert_eq!(restored.effects, [Effect::Restore]);
        assert_eq!(restored.measures, Measures::default());
    }

    #[test]
    fn rejecting_an_automated_case_releases_the_screening_hold() {
        let held = Measures {
            screening_hold: true,
            ..Measures::default()
        };
        let rejected =
            apply(S::Open, CaseEvent::Decide(CaseOutcome::Reject), held, G).expect("allowed");
        assert_eq!(rejected.effects, [Effect::Restore]);
        assert_eq!(rejected.measures, Measures::default());
        let upheld =
            apply(S::Open, CaseEvent::Decide(CaseOutcome::Uphold), held, G).expect("allowed");
        assert_eq!(
            upheld.effects[0],
            Effect::TakeDown,
            "the hold becomes a takedown"
        );
        let lifted = apply(
            S::CounterNoticePending,
            CaseEvent::WindowExpired,
            upheld.measures,
            G,
        )
        .expect("allowed");
        assert_eq!(lifted.effects, [Effect::Restore, Effect::RetractViolation]);
    }

    #[test]
    fn take_down_on_receipt_issues_a_statement_once() {
        let first = apply(
            S::Open,
            CaseEvent::TakeDownOnReceipt,
            Measures::default(),
            G,
        )
        .expect("allowed");
        assert_eq!(
            first.effects,
            [
                Effect::TakeDown,
                Effect::IssueStatement(StatementKind::Restriction)
            ]
        );
        let again =
            apply(S::Open, CaseEvent::TakeDownOnReceipt, first.measures, G).expect("allowed");
        assert!(again.effects.is_empty());
    }

    #[test]
    fn counter_notice_window_paths() {
        let up = Measures {
            listing_down: true,
            violation_recorded: true,
            ..Measures::default()
        };
        let filed = apply(S::ActionTaken, CaseEvent::FileCounterNotice, up, G).expect("allowed");
        assert_eq!(
            filed.effects,
            [Effect::ForwardCounterNotice, Effect::StartWindow]
        );
        let kept = apply(
            S::CounterNoticePending,
            CaseEvent::ConfirmLegalAction,
            up,
            G,
        )
        .expect("allowed");
        assert_eq!(
            (kept.to, kept.effects),
            (S::MeasuresMaintained, vec![Effect::CancelWindow])
        );
        let lifted =
            apply(S::CounterNoticePending, CaseEvent::WindowExpired, up, G).expect("allowed");
        assert_eq!(lifted.effects, [Effect::Restore, Effect::RetractViolation]);
        assert_eq!(lifted.measures, Measures::default());
    }

    #[test]
    fn reversal_undoes_every_effect_with_a_new_statement() {
        let up = Measures {
            listing_down: true,
            violation_recorded: true,
            ..Measures::default()
        };
        let reversed = apply(
            S::CounterNoticePending,
            CaseEvent::DecideAppeal(AppealOutcome::Reverse),
            up,
            G,
        )
        .expect("allowed");
        assert_eq!(
            reversed.effects,
            [
                Effect::CancelWindow,
                Effect::Restore,
                Effect::RetractViolation,
                Effect::IssueStatement(StatementKind::Reversal)
            ]
        );
        let rejected_reversed = apply(
            S::Rejected,
            CaseEvent::DecideAppeal(AppealOutcome::Reverse),
            Measures::default(),
            G,
        )
        .expect("allowed");
        assert_eq!(rejected_reversed.to, S::ActionTaken);
        assert!(rejected_reversed.effects.contains(&Effect::TakeDown));
    }

    #[test]
    fn only_live_cases_accept_notices() {
        let accepting: Vec<_> = S::ALL
            .iter()
            .filter(|s| s.accepts_notices())
            .copied()
            .collect();
        assert_eq!(
            accepting,
            [
                S::Open,
                S::ActionTaken,
                S::CounterNoticePending,
                S::MeasuresMaintained
            ]
        );
    }
}
