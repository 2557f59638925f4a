//! The transparency report from daily counters. Every state change bumps its counters in the
//! same transaction, so a report over any period sums at most (days × metrics) rows instead of
//! scanning cases: its cost does not grow with the number of cases.
//!
//! Each change bumps its jurisdiction's row and the all-jurisdictions row [`ALL`], and rows are
//! keyed (jurisdiction, day, metric), so a report reads one contiguous key range.
//!
//! Notice-to-action times are kept as a histogram with 8 buckets per doubling (≈ 9 % wide), so
//! the median and 90th percentile are read from it with that precision.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set, prelude::Expr,
};

use super::entities::report_counter;

/// Metric names.
pub mod metric {
    pub const NOTICES: &str = "notices";
    pub const CASES_OPENED: &str = "cases.opened";
    pub const CASES_AUTOMATED: &str = "cases.automated";
    pub const UPHELD: &str = "decisions.upheld";
    pub const REJECTED: &str = "decisions.rejected";
    pub const COUNTER_NOTICES: &str = "counter_notices";
    pub const RESTORATIONS: &str = "restorations_after_window";
    pub const LEGAL_ACTIONS: &str = "legal_actions";
    pub const APPEALS: &str = "appeals";
    pub const REVERSALS: &str = "reversals";
    pub const NOTIFIERS_SUSPENDED: &str = "notifiers_suspended";
    /// Prefixes followed by a value.
    pub const BY_SOURCE: &str = "notices.source.";
    pub const BY_GROUND: &str = "notices.ground.";
    pub const BY_STATUS: &str = "cases.status.";
    pub const DELAY: &str = "action_delay.";
}

/// The jurisdiction value of the all-jurisdictions counters.
pub const ALL: &str = "*";

/// The counter day of a time (UTC).
#[must_use]
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Adds `delta` to a counter of `jurisdiction` and of all jurisdictions, in the caller's
/// transaction.
///
/// # Errors
/// The database error.
pub async fn bump<C: ConnectionTrait>(
    conn: &C,
    day: &str,
    jurisdiction: &str,
    metric: &str,
    delta: i64,
) -> Result<(), DbErr> {
    upsert(conn, day, ALL, metric, delta).await?;
    if !jurisdiction.is_empty() && jurisdiction != ALL {
        upsert(conn, day, jurisdiction, metric, delta).await?;
    }
    Ok(())
}

async fn upsert<C: ConnectionTrait>(
    conn: &C,
    day: &str,
    jurisdiction: &str,
    metric: &str,
    delta: i64,
) -> Result<(), DbErr> {
    report_counter::Entity::insert(report_counter::ActiveModel {
        day: Set(day.to_owned()),
        jurisdiction: Set(jurisdiction.to_owned()),
        metric: Set(metric.to_owned()),
        count: Set(delta),
    })
    .on_conflict(
        OnConflict::columns([
            report_counter::Column::Jurisdiction,
            report_counter::Column::Day,
            report_counter::Column::Metric,
        ])
        .value(
            report_counter::Column::Count,
            Expr::col((report_counter::Entity, report_counter::Column::Count)).add(delta),
        )
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The histogram bucket of a delay.
#[must_use]
pub fn delay_bucket(millis: i64) -> u32 {
    let seconds: f64 = (std::cmp::max(millis, 0) as f64) / 1000.0;
    // 8 buckets per doubling of (1 + seconds); bounded, so the cast cannot truncate.
    ((1.0 + seconds).log2() * 8.0).floor().clamp(0.0, 1000.0) as u32
}

/// The upper edge of a bucket, in milliseconds.
#[must_use]
pub fn bucket_upper_millis(bucket: u32) -> i64 {
    let seconds = 2f64.powf(f64::from(bucket + 1) / 8.0) - 1.0;
    (seconds * 1000.0).round() as i64
}

/// Summed counters for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportCounts {
    pub metrics: BTreeMap<String, i64>,
}

impl ReportCounts {
    /// A plain counter (0 when absent).
    #[must_use]
    pub fn get(&self, metric: &str) -> i64 {
        self.metrics.get(metric).copied().unwrap_or(0)
    }

    /// Counters under a prefix, keyed by the rest of the name.
    #[must_use]
    pub fn with_prefix(&self, prefix: &str) -> Vec<(String, i64)> {
        self.metrics
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest.to_owned(), *v)))
            .filter(|(_, v)| *v != 0)
            .collect()
    }

    /// The `q` quantile (0..1) of notice-to-action time, in milliseconds.
    #[must_use]
    pub fn delay_quantile(&self, q: f64) -> Option<i64> {
        let mut buckets: Vec<(u32, i64)> = self
            .with_prefix(metric::DELAY)
            .into_iter()
            .filter_map(|(b, n)| b.parse().ok().map(|b| (b, n)))
            .collect();
        buckets.sort_unstable();
        let total: i64 = buckets.iter().map(|(_, n)| n).sum();
        if total <= 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
        let mut seen = 0;
        for (bucket, n) in buckets {
            seen += n;
            if seen >= rank {
                return Some(bucket_upper_millis(bucket));
            }
        }
        None
    }
}

/// Sums counters for days in `[from, to)`, for one jurisdiction or all.
///
/// # Errors
/// The database error.
pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    from: NaiveDate,
    to: NaiveDate,
    jurisdiction: Option<&str>,
) -> Result<ReportCounts, DbErr> {
    let query = report_counter::Entity::find()
        .select_only()
        .column(report_counter::Column::Metric)
        // PostgreSQL sums BIGINT as NUMERIC; cast back so both backends answer an integer.
        .column_as(Expr::cust("CAST(SUM(count) AS BIGINT)"), "total")
        .filter(report_counter::Column::Day.gte(from.format("%Y-%m-%d").to_string()))
        .filter(report_counter::Column::Day.lt(to.format("%Y-%m-%d").to_string()))
        .filter(report_counter::Column::Jurisdiction.eq(jurisdiction.unwrap_or(ALL)))
        .group_by(report_counter::Column::Metric);
    let rows: Vec<(String, Option<i64>)> = query.into_tuple().all(conn).await?;
    Ok(ReportCounts {
        metrics: rows.into_iter().map(|(m, n)| (m, n.unwrap_or(0))).collect(),
    })
}

impl super::Store {
    /// Summed counters for days in `[from, to)`.
    ///
    /// # Errors
    /// The database error.
    pub async fn report_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        jurisdiction: Option<&str>,
    ) -> genuine_runtime::errors::ServiceResult<ReportCounts> {
        Ok(counts(self.db(), from, to, jurisdiction).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_grow_geometrically_and_their_edges_bound_the_delay() {
        for millis in [
            0,
            1,
            999,
            1000,
            60_000,
            3_600_000,
            86_400_000,
            30 * 86_400_000,
        ] {
            let b = delay_bucket(millis);
            assert!(bucket_upper_millis(b) >= millis, "{millis}");
            let relative = (bucket_upper_millis(b) - millis) as f64 / (millis as f64 + 1000.0);
            assert!(relative <= 0.1, "{millis}: {relative}");
        }
    }

    #[test]
    fn quantiles_come_from_the_histogram() {
        let mut counts = ReportCounts::default();
        counts
            .metrics
            .insert(format!("{}{}", metric::DELAY, delay_bucket(60_000)), 9);
        counts
            .metrics
            .insert(format!("{}{}", metric::DELAY, delay_bucket(86_400_000)), 1);
        let median = counts.delay_quantile(0.5).expect("data");
        assert!((60_000..66_000).contains(&median), "{median}");
        let p90 = counts.delay_quantile(0.9).expect("data");
        assert!((60_000..66_000).contains(&p90), "{p90}");
        let p99 = counts.delay_quantile(0.99).expect("data");
        assert!(p99 >= 86_400_000, "{p99}");
        assert_eq!(ReportCounts::default().delay_quantile(0.5), None);
    }
}
