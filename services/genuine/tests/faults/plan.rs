//! What each flow sets out to do, drawn from a seeded generator so a run can be repeated, and
//! what the case must end as once the client's acknowledged steps have taken effect.

use genuine_contracts::genuine::enforcement::v1::{AppealOutcome, CaseOutcome, CaseStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Sellers in the run; the first quarter are repeat infringers whose cases are mostly upheld.
pub const SELLERS: usize = 60;
/// Rights holders filing notices.
pub const RIGHTS_HOLDERS: usize = 6;

/// What a client does after the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    Nothing,
    /// The seller declares non-infringement and the rights holder proves a lawsuit in time.
    CounterNoticeThenLegalAction,
    /// The seller declares non-infringement and the window runs out.
    CounterNoticeThenExpiry,
    /// The seller appeals the upheld decision.
    SellerAppeal(AppealOutcome),
    /// The notifier appeals the rejection.
    NotifierAppeal(AppealOutcome),
}

/// One flow: a listing, the case about it, its decision and what follows.
#[derive(Debug, Clone)]
pub struct Plan {
    pub index: usize,
    pub seller: String,
    pub rights_holder: String,
    /// Replica vocabulary in the title: screening holds or blocks it and opens a case itself.
    pub suspicious: bool,
    pub outcome: CaseOutcome,
    pub follow_up: FollowUp,
}

impl Plan {
    /// Flow `index` of the run seeded `seed`.
    pub fn draw(seed: u64, index: usize) -> Self {
        let mut rng =
            StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let seller_index = rng.random_range(0..SELLERS);
        let repeat_infringer = seller_index < SELLERS / 4;
        let uphold = rng.random_bool(if repeat_infringer { 0.8 } else { 0.35 });
        let outcome = if uphold {
            CaseOutcome::Uphold
        } else {
            CaseOutcome::Reject
        };
        let appeal_outcome = if rng.random_bool(0.5) {
            AppealOutcome::Reverse
        } else {
            AppealOutcome::Uphold
        };
        let roll: f64 = rng.random();
        let follow_up = match (outcome, roll) {
            (CaseOutcome::Uphold, r) if r < 0.15 => FollowUp::CounterNoticeThenLegalAction,
            (CaseOutcome::Uphold, r) if r < 0.30 => FollowUp::CounterNoticeThenExpiry,
            (CaseOutcome::Uphold, r) if r < 0.40 => FollowUp::SellerAppeal(appeal_outcome),
            (CaseOutcome::Reject, r) if r < 0.15 => FollowUp::NotifierAppeal(appeal_outcome),
            _ => FollowUp::Nothing,
        };
        Self {
            index,
            seller: seller(seller_index),
            rights_holder: format!("rh-{}", rng.random_range(0..RIGHTS_HOLDERS)),
            suspicious: rng.random_bool(0.3),
            outcome,
            follow_up,
        }
    }
}

/// The id of seller `n`.
pub fn seller(n: usize) -> String {
    format!("seller-{n:02}")
}

/// How the legal action of a counter-notice flow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalAction {
    Confirmed,
    /// The window had already expired when the confirmation got through.
    TooLate,
}

/// What the client was told, step by step: the acknowledged record of one flow.
#[derive(Debug, Clone)]
pub struct Record {
    pub plan: Plan,
    pub listing_id: String,
    /// Screening held or blocked the listing, so the case came from automated detection.
    pub automated: bool,
    /// The rights holder's notice (request id, notice id), when it was not automated.
    pub notice: Option<(String, String)>,
    pub case_id: String,
    /// The follow-up carried out (a notifier appeal needs a notifier that is a party).
    pub follow_up: FollowUp,
    pub counter_notice: bool,
    pub legal_action: Option<LegalAction>,
    /// (request id, appeal id, outcome) of the decided appeal.
    pub appeal: Option<(String, String, AppealOutcome)>,
}

impl Record {
    /// The status the case must have once every acknowledged step took effect.
    pub fn expected_status(&self) -> CaseStatus {
        match (self.plan.outcome, self.follow_up) {
            (CaseOutcome::Uphold, FollowUp::SellerAppeal(AppealOutcome::Reverse)) => {
                CaseStatus::Reversed
            }
            (CaseOutcome::Uphold, _) if self.counter_notice => match self.legal_action {
                Some(LegalAction::Confirmed) => CaseStatus::MeasuresMaintained,
                _ => CaseStatus::MeasuresLifted,
            },
            (CaseOutcome::Reject, FollowUp::NotifierAppeal(AppealOutcome::Reverse))
            | (CaseOutcome::Uphold, _) => CaseStatus::ActionTaken,
            _ => CaseStatus::Rejected,
        }
    }
}
