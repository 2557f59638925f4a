//! Loading the record standing is computed from: a seller's verification, violations,
//! inspections and active suspension, for one seller or many in four queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use genuine_runtime::clock::{from_millis, to_millis};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{inspection, seller, suspension, violation};
use crate::domain::{
    Code, InspectionFact, InspectionResult, Record, Severity, SuspensionFact, SuspensionOrigin,
    VerificationStatus, ViolationFact,
};

/// The state stored for retracted violations.
pub const RETRACTED: &str = "retracted";
/// The state stored for upheld violations.
pub const UPHELD: &str = "upheld";

/// A stored name that no longer parses: a bug or a hand-edited row, reported as such.
pub fn corrupt(what: &str, value: &str) -> DbErr {
    DbErr::Custom(format!("stored {what} {value:?} is not known"))
}

/// The verification status stored as `code` in a seller row.
///
/// # Errors
/// When the stored name is unknown.
pub fn verification_of(code: &str) -> Result<VerificationStatus, DbErr> {
    VerificationStatus::from_code(code).ok_or_else(|| corrupt("verification status", code))
}

/// The suspension fact of a stored suspension.
///
/// # Errors
/// When the stored origin is unknown.
pub fn suspension_fact(row: &suspension::Model) -> Result<SuspensionFact, DbErr> {
    Ok(SuspensionFact {
        suspension_id: row.suspension_id.clone(),
        origin: SuspensionOrigin::from_code(&row.origin)
            .ok_or_else(|| corrupt("suspension origin", &row.origin))?,
        starts_at: from_millis(row.starts_at),
        ends_at: from_millis(row.ends_at),
        ended_at: row.ended_at.map(from_millis),
    })
}

/// The records of `sellers` at `now`.
///
/// # Errors
/// The database error, or a corrupt stored value.
pub async fn records<C: ConnectionTrait>(
    conn: &C,
    sellers: &[seller::Model],
    now: DateTime<Utc>,
) -> Result<HashMap<String, Record>, DbErr> {
    let verified = sellers
        .iter()
        .map(|row| {
            Ok((
                row.seller_id.clone(),
                verification_of(&row.verification_status)?,
            ))
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    records_of(conn, verified, now).await
}

/// The records at `now` of the sellers given by id and verification status: what the standing
/// look-ups read, without the rest of the sellers' rows.
///
/// # Errors
/// The database error, or a corrupt stored value.
pub async fn records_of<C: ConnectionTrait>(
    conn: &C,
    sellers: Vec<(String, VerificationStatus)>,
    now: DateTime<Utc>,
) -> Result<HashMap<String, Record>, DbErr> {
    let mut by_id = HashMap::with_capacity(sellers.len());
    for (seller_id, verification) in sellers {
        by_id.insert(seller_id, Record::new(verification));
    }
    if by_id.is_empty() {
        return Ok(by_id);
    }
    let ids: Vec<String> = by_id.keys().cloned().collect();

    let violations = violation::Entity::find()
        .filter(violation::Column::SellerId.is_in(ids.clone()))
        // A fixed order makes the score's floating-point sum the same on every load.
        .order_by_asc(violation::Column::DecidedAt)
        .order_by_asc(violation::Column::ViolationKey)
        .all(conn)
        .await?;
    for row in violations {
        let severity =
            Severity::from_code(&row.severity).ok_or_else(|| corrupt("severity", &row.severity))?;
        if let Some(record) = by_id.get_mut(&row.seller_id) {
            record.violations.push(ViolationFact {
                severity,
                decided_at: from_millis(row.decided_at),
                retracted: row.state == RETRACTED,
            });
        }
    }

    let inspections = inspection::Entity::find()
        .filter(inspection::Column::SellerId.is_in(ids.clone()))
        .order_by_asc(inspection::Column::InspectedAt)
        .order_by_asc(inspection::Column::InspectionId)
        .all(conn)
        .await?;
    for row in inspections {
        let result = InspectionResult::from_code(&row.result)
            .ok_or_else(|| corrupt("inspection result", &row.result))?;
        if let Some(record) = by_id.get_mut(&row.seller_id) {
            record.inspections.push(InspectionFact {
                result,
                inspected_at: from_millis(row.inspected_at),
            });
        }
    }

    let millis = to_millis(now);
    let active = suspension::Entity::find()
        .filter(suspension::Column::SellerId.is_in(ids))
        .filter(suspension::Column::EndedAt.is_null())
        .filter(suspension::Column::StartsAt.lte(millis))
        .filter(suspension::Column::EndsAt.gt(millis))
        .all(conn)
        .await?;
    for row in active {
        let fact = suspension_fact(&row)?;
        if let Some(record) = by_id.get_mut(&row.seller_id) {
            // Only one is active at a time; keep the one ending last if rows ever overlap.
            let later = record
                .suspension
                .as_ref()
                .is_none_or(|s| s.ends_at < fact.ends_at);
            if later {
                record.suspension = Some(fact);
            }
        }
    }
    Ok(by_id)
}

/// The record of one seller at `now`.
///
/// # Errors
/// The database error, or a corrupt stored value.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    seller: &seller::Model,
    now: DateTime<Utc>,
) -> Result<Record, DbErr> {
    let mut all = records(conn, std::slice::from_ref(seller), now).await?;
    all.remove(&seller.seller_id)
        .ok_or_else(|| DbErr::Custom("record of a loaded seller is missing".to_owned()))
}
