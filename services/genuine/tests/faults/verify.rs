//! The checks: for every flow, what the client was told must be in enforcement's record, and
//! every effect of that record must be in the other services exactly once: the listing's
//! measures, the seller's violation and suspensions, statements of reasons, buyer information and
//! one audit entry per event. A missing effect counts as lost; an effect found twice, or one that
//! should not exist at all, counts as duplicated.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use genuine_contracts::genuine::enforcement::v1::{AppealOutcome, CaseOutcome, CaseStatus};
use genuine_listing::domain::measures::{MeasureKind, derive_status};

use crate::plan::{FollowUp, LegalAction, Record};
use crate::tables::{Enforcement, Listing, Reputation};

/// What the checks found.
#[derive(Debug, Default)]
pub struct Tally {
    pub effects: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub problems: Vec<String>,
}

impl Tally {
    /// `what` must be there exactly once; it was found `found` times.
    fn once(&mut self, what: impl Display, found: usize) {
        self.exactly(what, 1, found);
    }

    /// `what` must be there `expected` times.
    fn exactly(&mut self, what: impl Display, expected: usize, found: usize) {
        self.effects += expected.max(1);
        if found < expected {
            self.lost += expected - found;
            self.problems
                .push(format!("lost: {what} ({found} of {expected})"));
        } else if found > expected {
            self.duplicated += found - expected;
            self.problems
                .push(format!("duplicated: {what} ({found}, expected {expected})"));
        }
    }

    /// A state that must hold: when it does not, an effect that should have happened did not.
    fn holds(&mut self, what: impl Display, ok: bool) {
        self.effects += 1;
        if !ok {
            self.lost += 1;
            self.problems.push(format!("lost: {what}"));
        }
    }
}

fn status_name(status: CaseStatus) -> &'static str {
    status
        .as_str_name()
        .strip_prefix("CASE_STATUS_")
        .unwrap_or_default()
}

/// The timeline a flow's acknowledged steps must have produced, by event kind.
fn expected_events(record: &Record) -> BTreeMap<&'static str, usize> {
    let mut events = BTreeMap::from([("OPENED", 1)]);
    let decision = match record.plan.outcome {
        CaseOutcome::Uphold => "UPHELD",
        _ => "REJECTED",
    };
    events.insert(decision, 1);
    if record.counter_notice {
        events.insert("COUNTER_NOTICE_FILED", 1);
        match record.legal_action {
            Some(LegalAction::Confirmed) => events.insert("LEGAL_ACTION_CONFIRMED", 1),
            _ => events.insert("WINDOW_EXPIRED", 1),
        };
    }
    if let Some((_, _, outcome)) = &record.appeal {
        events.insert("APPEAL_FILED", 1);
        let kind = match outcome {
            AppealOutcome::Reverse => "APPEAL_REVERSED",
            _ => "APPEAL_UPHELD",
        };
        events.insert(kind, 1);
    }
    events
}

/// Whether the case took effect against the seller at some point (a violation was recorded).
fn ever_upheld(record: &Record) -> bool {
    record.plan.outcome == CaseOutcome::Uphold
        || matches!(&record.appeal, Some((_, _, AppealOutcome::Reverse)))
}

/// Whether the case's measures were ever lifted (its listing restored at least once).
fn ever_restored(record: &Record) -> bool {
    record.plan.outcome == CaseOutcome::Reject
        || matches!(
            record.expected_status(),
            CaseStatus::MeasuresLifted | CaseStatus::Reversed
        )
}

/// Runs every check.
pub fn check(
    records: &[Record],
    enforcement: &Enforcement,
    listing: &Listing,
    reputation: &Reputation,
) -> Tally {
    let mut tally = Tally::default();
    check_listings(&mut tally, records, listing);
    check_cases(&mut tally, records, enforcement);
    check_effects(&mut tally, records, enforcement, listing, reputation);
    check_audit(&mut tally, enforcement);
    check_suspensions(&mut tally, records, listing, reputation);
    tally
}

/// One stored listing per acknowledged create, and nothing else.
fn check_listings(tally: &mut Tally, records: &[Record], listing: &Listing) {
    for record in records {
        let request_id = format!("flow-{}", record.plan.index);
        let found = listing
            .listings
            .iter()
            .filter(|(id, seller, request, _)| {
                *id == record.listing_id && *seller == record.plan.seller && *request == request_id
            })
            .count();
        tally.once(format!("listing of {request_id}"), found);
    }
    let acknowledged: BTreeSet<&str> = records.iter().map(|r| r.listing_id.as_str()).collect();
    let unknown = listing
        .listings
        .iter()
        .filter(|(id, ..)| !acknowledged.contains(id.as_str()))
        .count();
    tally.exactly("listings nobody was told of", 0, unknown);
    // A listing's stored status is the one its measures in force lead to (ACTIVE with none).
    for (id, _, _, status) in &listing.listings {
        let in_force: Vec<MeasureKind> = listing
            .measures
            .iter()
            .filter(|m| m.listing_id == *id && m.active)
            .map(|m| {
                MeasureKind::parse(&m.kind)
                    .unwrap_or_else(|| panic!("unknown measure kind {:?}", m.kind))
            })
            .collect();
        let expected = derive_status(in_force.iter().copied()).as_str();
        tally.holds(
            format!("listing {id} is {status}, its measures in force {in_force:?} say {expected}"),
            status == expected,
        );
    }
}

/// The notices, cases, timelines and appeals in enforcement match what clients were told.
fn check_cases(tally: &mut Tally, records: &[Record], enforcement: &Enforcement) {
    for record in records {
        let flow = record.plan.index;
        let cases = enforcement
            .cases
            .iter()
            .filter(|(_, c)| c.listing_id == record.listing_id)
            .count();
        tally.once(format!("case of flow {flow}"), cases);
        let automated_notices = enforcement
            .notices
            .iter()
            .filter(|n| n.automated && n.listing_ids.contains(&record.listing_id))
            .count();
        tally.exactly(
            format!("screening notice of flow {flow}"),
            usize::from(record.automated),
            automated_notices,
        );
        if let Some((request_id, notice_id)) = &record.notice {
            let found = enforcement
                .notices
                .iter()
                .filter(|n| {
                    n.subject == record.plan.rights_holder
                        && n.request_id == *request_id
                        && n.notice_id == *notice_id
                        && n.case_ids.contains(&record.case_id)
                })
                .count();
            tally.once(format!("notice {request_id}"), found);
        }
        let Some(case) = enforcement.cases.get(&record.case_id) else {
            continue;
        };
        let expected = status_name(record.expected_status());
        tally.holds(
            format!(
                "case {} of flow {flow} is {} (expected {expected})",
                record.case_id, case.status
            ),
            case.status == expected,
        );
        tally.holds(
            format!(
                "case {} of flow {flow} is automated: {}",
                record.case_id, case.automated
            ),
            case.automated == record.automated,
        );
        let mut found: BTreeMap<&str, usize> = BTreeMap::new();
        for kind in enforcement
            .events
            .get(&record.case_id)
            .into_iter()
            .flatten()
        {
            *found.entry(kind.as_str()).or_default() += 1;
        }
        // A good-faith notifier's notice takes the listing down on receipt: once at most.
        let on_receipt = found.remove("TAKEN_DOWN_ON_RECEIPT").unwrap_or(0);
        if on_receipt > 1 {
            tally.exactly(
                format!("take-down on receipt of case {}", record.case_id),
                1,
                on_receipt,
            );
        }
        let expected_events = expected_events(record);
        for (kind, count) in &expected_events {
            let what = format!("{kind} event of case {} (flow {flow})", record.case_id);
            tally.exactly(what, *count, found.get(kind).copied().unwrap_or(0));
        }
        for (kind, count) in &found {
            if !expected_events.contains_key(kind) {
                tally.exactly(
                    format!("{kind} event of case {}", record.case_id),
                    0,
                    *count,
                );
            }
        }
        if let Some((request_id, appeal_id, outcome)) = &record.appeal {
            let appellant = match record.follow_up {
                FollowUp::NotifierAppeal(_) => &record.plan.rights_holder,
                _ => &record.plan.seller,
            };
            let outcome = outcome
                .as_str_name()
                .strip_prefix("APPEAL_OUTCOME_")
                .unwrap_or_default();
            let found = enforcement
                .appeals
                .iter()
                .filter(|a| {
                    a.request_id == *request_id
                        && a.subject == *appellant
                        && a.appeal_id == *appeal_id
                        && a.case_id == record.case_id
                        && a.status == "DECIDED"
                        && a.outcome == outcome
                })
                .count();
            tally.once(format!("decided appeal {request_id}"), found);
        }
    }
    let flows_cases: BTreeSet<&str> = records.iter().map(|r| r.case_id.as_str()).collect();
    let other_cases = enforcement
        .cases
        .keys()
        .filter(|id| !flows_cases.contains(id.as_str()))
        .count();
    tally.exactly("cases of no flow", 0, other_cases);
    let appeals = records.iter().filter(|r| r.appeal.is_some()).count();
    let stored = enforcement.appeals.len();
    if stored > appeals {
        tally.exactly("appeals", appeals, stored);
    }
}

/// The effects of each case in listing and reputation, its statements and buyer information.
fn check_effects(
    tally: &mut Tally,
    records: &[Record],
    enforcement: &Enforcement,
    listing: &Listing,
    reputation: &Reputation,
) {
    for record in records {
        let case_id = &record.case_id;
        let status = record.expected_status();
        let down = matches!(
            status,
            CaseStatus::ActionTaken | CaseStatus::MeasuresMaintained
        );
        if let Some(case) = enforcement.cases.get(case_id) {
            tally.holds(
                format!("enforcement records case {case_id} as down: {down}"),
                case.listing_down == down && case.seller_id == record.plan.seller,
            );
        }
        let takedowns: Vec<bool> = listing
            .measures
            .iter()
            .filter(|m| m.kind == "case_takedown" && m.key == *case_id)
            .map(|m| m.listing_id == record.listing_id && m.active)
            .collect();
        let active = takedowns.iter().filter(|a| **a).count();
        if down {
            tally.once(format!("take-down of {case_id} in force"), active);
        } else {
            tally.holds(
                format!("take-down of {case_id} lifted ({active} in force)"),
                active == 0,
            );
        }
        if record.automated {
            let held = listing
                .measures
                .iter()
                .filter(|m| m.listing_id == record.listing_id && m.kind.starts_with("screening_"))
                .filter(|m| m.active)
                .count();
            let expected = usize::from(!ever_restored(record));
            tally.exactly(
                format!(
                    "screening hold of automated case {case_id} ending at its first restoration"
                ),
                expected,
                held,
            );
        }

        let violations: Vec<_> = reputation
            .violations
            .iter()
            .filter(|v| v.case_id == *case_id)
            .collect();
        if ever_upheld(record) {
            tally.once(format!("violation of {case_id}"), violations.len());
            if let Some(violation) = violations.first() {
                tally.holds(
                    format!(
                        "violation of {case_id} upheld: {} (expected {down})",
                        violation.upheld
                    ),
                    violation.upheld == down && violation.seller_id == record.plan.seller,
                );
            }
        } else {
            tally.exactly(format!("violation of {case_id}"), 0, violations.len());
        }

        let events = enforcement.events.get(case_id).cloned().unwrap_or_default();
        let restricting = events
            .iter()
            .filter(|k| {
                matches!(
                    k.as_str(),
                    "UPHELD" | "APPEAL_REVERSED" | "TAKEN_DOWN_ON_RECEIPT"
                )
            })
            .count();
        let statements = enforcement
            .statements
            .iter()
            .filter(|(_, c)| c == case_id)
            .count();
        tally.exactly(
            format!("statements of reasons of {case_id}"),
            restricting,
            statements,
        );
        let buyers = enforcement
            .buyer_notifications
            .iter()
            .filter(|c| *c == case_id)
            .count();
        tally.exactly(
            format!("buyer information of {case_id}"),
            usize::from(ever_upheld(record)),
            buyers,
        );
    }
    let cases: BTreeSet<&str> = records.iter().map(|r| r.case_id.as_str()).collect();
    let stray = reputation
        .violations
        .iter()
        .filter(|v| !cases.contains(v.case_id.as_str()))
        .count();
    tally.exactly("violations of no flow's case", 0, stray);
}

/// One audit entry per notice, timeline event, statement, appeal step and buyer record; no other.
fn check_audit(tally: &mut Tally, enforcement: &Enforcement) {
    let mut expected: Vec<(String, String)> = Vec::new();
    for notice in &enforcement.notices {
        expected.push(("notice.submitted".into(), notice.notice_id.clone()));
    }
    for (case_id, events) in &enforcement.events {
        for kind in events {
            expected.push((
                format!("case.{}", kind.to_ascii_lowercase()),
                case_id.clone(),
            ));
        }
    }
    for (statement_id, _) in &enforcement.statements {
        expected.push(("statement.issued".into(), statement_id.clone()));
    }
    for appeal in &enforcement.appeals {
        expected.push(("appeal.filed".into(), appeal.appeal_id.clone()));
        if appeal.status == "DECIDED" {
            expected.push(("appeal.decided".into(), appeal.appeal_id.clone()));
        }
    }
    for case_id in &enforcement.buyer_notifications {
        expected.push(("buyer_notification.recorded".into(), case_id.clone()));
    }
    let mut found: BTreeMap<&(String, String), usize> = BTreeMap::new();
    for entry in &enforcement.audit {
        *found.entry(entry).or_default() += 1;
    }
    let mut wanted: BTreeMap<&(String, String), usize> = BTreeMap::new();
    for entry in &expected {
        *wanted.entry(entry).or_default() += 1;
    }
    for (entry, count) in &wanted {
        let (kind, subject) = entry;
        tally.exactly(
            format!("audit entry {kind} {subject}"),
            *count,
            found.get(entry).copied().unwrap_or(0),
        );
    }
    for (entry, count) in &found {
        if !wanted.contains_key(entry) {
            let (kind, subject) = entry;
            tally.exactly(format!("audit entry {kind} {subject}"), 0, *count);
        }
    }
}

/// A seller is suspended exactly while it has three strikes in force, in reputation and in
/// listing, on every one of its listings; an ended suspension holds no listing.
fn check_suspensions(
    tally: &mut Tally,
    records: &[Record],
    listing: &Listing,
    reputation: &Reputation,
) {
    let mut strikes: BTreeMap<&str, usize> = BTreeMap::new();
    for record in records {
        let entry = strikes.entry(record.plan.seller.as_str()).or_default();
        if matches!(
            record.expected_status(),
            CaseStatus::ActionTaken | CaseStatus::MeasuresMaintained
        ) {
            *entry += 1;
        }
    }
    for (seller, strikes) in &strikes {
        let active: Vec<&str> = reputation
            .suspensions
            .iter()
            .filter(|(s, _, in_force)| s == seller && *in_force)
            .map(|(_, id, _)| id.as_str())
            .collect();
        let suspended = *strikes >= 3;
        tally.exactly(
            format!("suspension of {seller} with {strikes} strikes"),
            usize::from(suspended),
            active.len(),
        );
        for (_, suspension_id, in_force) in
            reputation.suspensions.iter().filter(|(s, ..)| s == seller)
        {
            let mirrored = listing
                .suspensions
                .iter()
                .filter(|(s, id, _)| s == seller && id == suspension_id)
                .collect::<Vec<_>>();
            tally.once(
                format!("suspension {suspension_id} known to listing"),
                mirrored.len(),
            );
            if let Some((_, _, listing_in_force)) = mirrored.first() {
                tally.holds(
                    format!("suspension {suspension_id} in force: {in_force} in reputation, {listing_in_force} in listing"),
                    listing_in_force == in_force,
                );
            }
            for (listing_id, owner, ..) in listing.listings.iter().filter(|l| l.1 == **seller) {
                let _ = owner;
                let held = listing
                    .measures
                    .iter()
                    .filter(|m| {
                        m.listing_id == *listing_id
                            && m.kind == "seller_suspension"
                            && m.key == *suspension_id
                            && m.active
                    })
                    .count();
                tally.exactly(
                    format!("suspension {suspension_id} on listing {listing_id}"),
                    usize::from(*in_force),
                    held,
                );
            }
        }
    }
}
