//! When a counter-notice window ends. ECL Art. 43 counts 15 days; DMCA §512(g) counts business
//! days. The calendar is configuration, like the length.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

/// How a window's length is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowCalendar {
    /// The length as elapsed time (`15d` is 15 × 24 h; `3s` works for tests).
    #[default]
    Elapsed,
    /// The length's whole days as business days: Saturdays and Sundays (UTC) are not counted.
    BusinessDays,
}

impl std::str::FromStr for WindowCalendar {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "days" | "elapsed" | "calendar" => Ok(Self::Elapsed),
            "business_days" | "business-days" | "business" => Ok(Self::BusinessDays),
            other => Err(format!(
                "{other:?} is not a calendar; use days or business_days"
            )),
        }
    }
}

impl std::fmt::Display for WindowCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Elapsed => "days",
            Self::BusinessDays => "business_days",
        })
    }
}

/// The end of a window of `length` that starts at `start`. With business days, each whole day
/// of `length` moves the end to the next weekday (a start on a weekend counts from Monday, as
/// notices received on a weekend are handled on the next business day); the time of day is kept.
#[must_use]
pub fn window_end(
    start: DateTime<Utc>,
    length: Duration,
    calendar: WindowCalendar,
) -> DateTime<Utc> {
    match calendar {
        WindowCalendar::Elapsed => start + length,
        WindowCalendar::BusinessDays => {
            let mut end = start;
            for _ in 0..length.num_days() {
                end += Duration::days(1);
                while is_weekend(end) {
                    end += Duration::days(1);
                }
            }
            // The part of the length below one day (tests use seconds) is elapsed time.
            end + (length - Duration::days(length.num_days()))
        }
    }
}

fn is_weekend(time: DateTime<Utc>) -> bool {
    matches!(time.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(date)
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn elapsed_days_are_plain_addition() {
        let start = at("2026-11-27T10:00:00Z"); // a Friday
        assert_eq!(
            window_end(start, Duration::days(15), WindowCalendar::Elapsed),
            at("2026-12-12T10:00:00Z")
        );
        assert_eq!(
            window_end(start, Duration::seconds(3), WindowCalendar::Elapsed),
            start + Duration::seconds(3)
        );
    }

    #[test]
    fn business_days_skip_weekends() {
        let friday = at("2026-11-27T10:00:00Z");
        assert_eq!(
            window_end(friday, Duration::days(1), WindowCalendar::BusinessDays),
            at("2026-11-30T10:00:00Z")
        );
        assert_eq!(
            window_end(friday, Duration::days(10), WindowCalendar::BusinessDays),
            at("2026-12-11T10:00:00Z")
        );
        let monday = at("2026-11-30T09:00:00Z");
        assert_eq!(
            window_end(monday, Duration::days(14), WindowCalendar::BusinessDays),
            at("2026-12-18T09:00:00Z")
        );
        let saturday = at("2026-11-28T12:00:00Z");
        assert_eq!(
            window_end(saturday, Duration::days(1), WindowCalendar::BusinessDays),
            at("2026-11-30T12:00:00Z")
        );
    }

    #[test]
    fn business_windows_never_end_on_a_weekend_and_are_never_shorter() {
        let mut start = at("2026-01-01T08:30:00Z");
        for _ in 0..60 {
            for days in 0..20 {
                let end = window_end(start, Duration::days(days), WindowCalendar::BusinessDays);
                assert!(end >= start + Duration::days(days));
                if days > 0 {
                    assert!(!is_weekend(end), "{start} + {days} business days = {end}");
                }
            }
            start += Duration::hours(13);
        }
    }

    #[test]
    fn calendars_parse_and_print() {
        assert_eq!("business_days".parse(), Ok(WindowCalendar::BusinessDays));
        assert_eq!("days".parse(), Ok(WindowCalendar::Elapsed));
        assert!("weeks".parse::<WindowCalendar>().is_err());
        assert_eq!(WindowCalendar::BusinessDays.to_string(), "business_days");
    }
}
