//! Bulk data for measurements, shared by the store's at-scale tests and `genuine bench`: the
//! report counters a period of cases leaves behind (written by plain SQL, since a million cases
//! through the store would take longer than the measurement), and cases opened through the
//! store itself.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use genuine_runtime::errors::ServiceResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::domain::case_state::CaseStatus;
use crate::domain::notice::{MAX_LISTINGS, NoticeDraft};
use crate::domain::vocabulary::{NoticeGround, NoticeSource};
use crate::store::{Actor, NewNotice, Store, parse_list, report};

/// Rows per bulk INSERT: large enough to amortise round trips, small enough for any driver.
const ROWS_PER_INSERT: usize = 2_000;

/// The histogram buckets notice-to-action delays are spread over (about 6 min to 9 days).
const DELAY_BUCKETS: std::ops::Range<u32> = 60..90;

/// Cases spread evenly over `days` days from `first_day` and over `jurisdictions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePeriod {
    pub cases: u64,
    pub first_day: NaiveDate,
    pub days: u32,
    pub jurisdictions: Vec<String>,
}

impl CasePeriod {
    /// The cases of one (day, jurisdiction) slot: an even share, the remainder to the first.
    fn cases_in_slot(&self, slot: u64) -> u64 {
        let slots = u64::from(self.days) * self.jurisdictions.len().max(1) as u64;
        self.cases / slots + u64::from(slot < self.cases % slots)
    }
}

/// Writes the report counters `period`'s cases leave: per day and jurisdiction (and summed into
/// the all-jurisdictions rows) notices and cases opened, their split by source, ground, status
/// and notice-to-action delay, and fixed shares decided, contested and appealed. Answers the
/// number of rows written.
///
/// # Errors
/// The database error.
pub async fn seed_report_counters(
    db: &DatabaseConnection,
    period: &CasePeriod,
) -> Result<usize, DbErr> {
    let mut rows = Vec::new();
    let mut slot = 0;
    for d in 0..period.days {
        let day = period
            .first_day
            .checked_add_days(Days::new(u64::from(d)))
            .unwrap_or(NaiveDate::MAX)
            .format("%Y-%m-%d")
            .to_string();
        let mut all: BTreeMap<String, u64> = BTreeMap::new();
        for jurisdiction in &period.jurisdictions {
            for (metric, count) in counters_of(period.cases_in_slot(slot)) {
                *all.entry(metric.clone()).or_default() += count;
                rows.push(counter_row(&day, jurisdiction, &metric, count));
            }
            slot += 1;
        }
        for (metric, count) in all {
            rows.push(counter_row(&day, report::ALL, &metric, count));
        }
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        db.execute_unprepared(&format!(
            "INSERT INTO report_counters (day, jurisdiction, metric, count) VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    // Fresh planner statistics, as a database that grew over a year would have.
    db.execute_unprepared("ANALYZE").await.ok();
    Ok(rows.len())
}

fn counter_row(day: &str, jurisdiction: &str, metric: &str, count: u64) -> String {
    format!("('{day}', '{jurisdiction}', '{metric}', {count})")
}

/// The non-zero counters `n` cases (one notice each) bump.
fn counters_of(n: u64) -> Vec<(String, u64)> {
    use report::metric;
    let shares = [
        (metric::NOTICES, n),
        (metric::CASES_OPENED, n),
        (metric::CASES_AUTOMATED, n / 4),
        (metric::UPHELD, n / 2),
        (metric::REJECTED, n / 5),
        (metric::COUNTER_NOTICES, n / 20),
        (metric::RESTORATIONS, n / 50),
        (metric::LEGAL_ACTIONS, n / 100),
        (metric::APPEALS, n / 25),
        (metric::REVERSALS, n / 200),
    ];
    let mut out: Vec<(String, u64)> = shares.iter().map(|(m, c)| ((*m).to_owned(), *c)).collect();
    let split = |prefix: &str, values: Vec<String>, out: &mut Vec<(String, u64)>| {
        let k = values.len() as u64;
        for (i, value) in values.into_iter().enumerate() {
            out.push((
                format!("{prefix}{value}"),
                n / k + u64::from((i as u64) < n % k),
            ));
        }
    };
    split(
        metric::BY_SOURCE,
        NoticeSource::ALL.iter().map(ToString::to_string).collect(),
        &mut out,
    );
    split(
        metric::BY_GROUND,
        NoticeGround::ALL.iter().map(ToString::to_string).collect(),
        &mut out,
    );
    split(
        metric::BY_STATUS,
        CaseStatus::ALL.iter().map(ToString::to_string).collect(),
        &mut out,
    );
    split(
        metric::DELAY,
        DELAY_BUCKETS.map(|b| b.to_string()).collect(),
        &mut out,
    );
    out.retain(|(_, count)| *count > 0);
    out
}

/// Opens `count` cases in `jurisdiction` through the store, as a rights holder's counterfeit
/// notices naming up to [`MAX_LISTINGS`] listings each would (one case per listing). Answers
/// the case ids.
///
/// # Errors
/// The store's error.
pub async fn seed_cases(
    store: &Store,
    count: usize,
    jurisdiction: &str,
) -> ServiceResult<Vec<String>> {
    let notifier = Actor::new("bench-brand", "rights_holder");
    let mut case_ids = Vec::with_capacity(count);
    let mut first = 0;
    while first < count {
        let listings: Vec<String> = (first..count.min(first + MAX_LISTINGS))
            .map(|i| format!("lst-seeded-{i:07}"))
            .collect();
        let sellers: HashMap<String, String> = listings
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), format!("seller-{:05}", (first + i) % 100)))
            .collect();
        first += listings.len();
        let request_id = format!("seeded-{first}");
        let submitted = store
            .submit_notice(
                &notifier,
                NewNotice {
                    draft: NoticeDraft {
                        request_id: request_id.clone(),
                        source: Some(NoticeSource::RightsHolder),
                        ground: Some(NoticeGround::Counterfeit),
                        notifier_id: "bench-brand".into(),
                        notifier_name: "Bench Brand Legal".into(),
                        notifier_email: "legal@brand.example".into(),
                        notifier_organization: "Bench Brand".into(),
                        listing_ids: listings,
                        explanation: "the listings copy our registered trade mark".into(),
                        evidence_urls: vec!["https://brand.example/evidence".into()],
                        good_faith_declaration: true,
                        jurisdiction: jurisdiction.to_owned(),
                        has_automated_detection: false,
                    },
                    brand_id: None,
                    automated_detection: None,
                    request_digest: format!("digest-{request_id}"),
                    sellers,
                },
            )
            .await?;
        case_ids.extend(parse_list(&submitted.notice.case_ids));
    }
    Ok(case_ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_counted_once_across_slots() {
        let period = CasePeriod {
            cases: 1_000,
            first_day: NaiveDate::from_ymd_opt(2025, 1, 1).expect("day"),
            days: 7,
            jurisdictions: vec!["DE".into(), "FR".into(), "IT".into()],
        };
        let total: u64 = (0..21).map(|s| period.cases_in_slot(s)).sum();
        assert_eq!(total, 1_000);
        let split: u64 = counters_of(47)
            .iter()
            .filter(|(m, _)| m.starts_with(report::metric::BY_SOURCE))
            .map(|(_, c)| c)
            .sum();
        assert_eq!(split, 47);
    }
}
