//! Shapes shared by several resources: actors, times, durations, bytes, money, pages.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use genuine_contracts::genuine::common::v1 as common;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::problem::{FieldError, Problem};

/// Who did something.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The principal's subject.
    pub subject: String,
    /// The role it acted in, e.g. `reviewer`, `service:listing`.
    pub role: String,
}

impl Actor {
    pub fn from_proto(actor: Option<&common::Actor>) -> Option<Self> {
        actor.map(|a| Self {
            subject: a.subject.clone(),
            role: a.role.clone(),
        })
    }
}

/// An amount of money.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// ISO 4217 code.
    pub currency_code: String,
    /// Whole units.
    pub units: i64,
    /// Nano units (10^-9).
    pub nanos: i32,
}

impl Money {
    pub fn from_proto(money: Option<&common::Money>) -> Option<Self> {
        money.map(|m| Self {
            currency_code: m.currency_code.clone(),
            units: m.units,
            nanos: m.nanos,
        })
    }
}

/// A proto timestamp as a UTC time (RFC 3339 in JSON).
#[must_use]
pub fn time(ts: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    let ts = ts?;
    DateTime::from_timestamp(ts.seconds, u32::try_from(ts.nanos).unwrap_or(0))
}

/// A UTC time as a proto timestamp.
#[must_use]
pub fn timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A proto duration as proto3 JSON spells it (`"3600s"`, `"1.5s"`).
#[must_use]
pub fn duration(d: Option<&prost_types::Duration>) -> Option<String> {
    let d = d?;
    Some(if d.nanos == 0 {
        format!("{}s", d.seconds)
    } else {
        let nanos = format!("{:09}", d.nanos.unsigned_abs());
        format!("{}.{}s", d.seconds, nanos.trim_end_matches('0'))
    })
}

/// Bytes as standard base64, as proto3 JSON spells them.
#[must_use]
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Parses an RFC 3339 query parameter, recording a field error when it is not one.
pub fn parse_time(
    value: Option<&str>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            errors.push(FieldError {
                field: field.to_owned(),
                detail: format!("is not an RFC 3339 time such as 2026-01-31T00:00:00Z ({e})"),
            });
            None
        }
    }
}

/// Parses an enum query parameter named as in the contract, recording a field error otherwise.
pub fn parse_enum(
    value: Option<&str>,
    field: &str,
    number: fn(&str) -> Option<i32>,
    names: fn() -> Vec<&'static str>,
    errors: &mut Vec<FieldError>,
) -> i32 {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return 0;
    };
    number(value).unwrap_or_else(|| {
        errors.push(FieldError {
            field: field.to_owned(),
            detail: format!("must be one of {}", names().join(", ")),
        });
        0
    })
}

/// `Ok(())` when no error was recorded, else 400 naming them all.
///
/// # Errors
/// The collected field errors.
pub fn finish(errors: Vec<FieldError>) -> Result<(), Problem> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::invalid(errors))
    }
}

/// Paging parameters, as in the gRPC contract.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// At most this many items (the service's default when absent).
    #[param(minimum = 1, maximum = 1000)]
    pub page_size: Option<i32>,
    /// `nextPageToken` of the previous page.
    pub page_token: Option<String>,
}

impl PageQuery {
    /// The page size for the gRPC request, checked.
    pub fn size(&self, errors: &mut Vec<FieldError>) -> i32 {
        page_size(self.page_size, errors)
    }

    /// The page token for the gRPC request.
    #[must_use]
    pub fn token(&self) -> String {
        self.page_token.clone().unwrap_or_default()
    }
}

/// A page size for a gRPC request (0: the service's default), checked.
pub fn page_size(value: Option<i32>, errors: &mut Vec<FieldError>) -> i32 {
    match value {
        None => 0,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError {
                field: "page_size".to_owned(),
                detail: "must be between 1 and 1000".to_owned(),
            });
            0
        }
    }
}
