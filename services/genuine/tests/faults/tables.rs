//! The rows the checks read from each service's database once the run is over and every outbox
//! is drained: only the columns the checks need, as text.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// Every row of `sql`, each column as text (`NULL` as the empty string).
async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<Vec<String>> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| {
            (0..)
                .map_while(|i| row.try_get_by_index::<Option<String>>(i).ok())
                .map(Option::unwrap_or_default)
                .collect()
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Case {
    pub listing_id: String,
    pub seller_id: String,
    pub status: String,
    pub automated: bool,
    pub listing_down: bool,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub notice_id: String,
    pub request_id: String,
    pub subject: String,
    pub automated: bool,
    pub listing_ids: String,
    pub case_ids: String,
}

#[derive(Debug, Clone)]
pub struct Appeal {
    pub appeal_id: String,
    pub case_id: String,
    pub request_id: String,
    pub subject: String,
    pub status: String,
    pub outcome: String,
}

/// Enforcement's record.
#[derive(Debug, Default)]
pub struct Enforcement {
    pub cases: BTreeMap<String, Case>,
    /// Timeline event kinds per case, in order.
    pub events: BTreeMap<String, Vec<String>>,
    pub notices: Vec<Notice>,
    /// (statement id, case id).
    pub statements: Vec<(String, String)>,
    pub appeals: Vec<Appeal>,
    /// Case ids with buyer information.
    pub buyer_notifications: Vec<String>,
    /// (kind, subject id) of every audit entry.
    pub audit: Vec<(String, String)>,
}

impl Enforcement {
    pub async fn read(db: &DatabaseConnection) -> Self {
        let mut enforcement = Self::default();
        for r in rows(
            db,
            "SELECT case_id, listing_id, seller_id, status, source, \
             CASE WHEN listing_down THEN 'true' ELSE 'false' END FROM cases",
        )
        .await
        {
            enforcement.cases.insert(
                r[0].clone(),
                Case {
                    listing_id: r[1].clone(),
                    seller_id: r[2].clone(),
                    status: r[3].clone(),
                    automated: r[4] == "AUTOMATED_DETECTION",
                    listing_down: r[5] == "true",
                },
            );
        }
        for r in rows(
            db,
            "SELECT case_id, kind FROM case_events ORDER BY case_id, seq",
        )
        .await
        {
            enforcement
                .events
                .entry(r[0].clone())
                .or_default()
                .push(r[1].clone());
        }
        enforcement.notices = rows(
            db,
            "SELECT notice_id, request_id, submitted_by_subject, source, listing_ids, case_ids \
             FROM notices",
        )
        .await
        .into_iter()
        .map(|r| Notice {
            notice_id: r[0].clone(),
            request_id: r[1].clone(),
            subject: r[2].clone(),
            automated: r[3] == "AUTOMATED_DETECTION",
            listing_ids: r[4].clone(),
            case_ids: r[5].clone(),
        })
        .collect();
        enforcement.statements = rows(db, "SELECT statement_id, case_id FROM statements")
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        enforcement.appeals = rows(
            db,
            "SELECT appeal_id, case_id, request_id, appellant_subject, status, outcome \
             FROM appeals",
        )
        .await
        .into_iter()
        .map(|r| Appeal {
            appeal_id: r[0].clone(),
            case_id: r[1].clone(),
            request_id: r[2].clone(),
            subject: r[3].clone(),
            status: r[4].clone(),
            outcome: r[5].clone(),
        })
        .collect();
        enforcement.buyer_notifications = rows(db, "SELECT case_id FROM buyer_notifications")
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        enforcement.audit = rows(db, "SELECT kind, subject_id FROM audit_log")
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        enforcement
    }
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub listing_id: String,
    pub kind: String,
    pub key: String,
    pub active: bool,
}

/// Listing's record.
#[derive(Debug, Default)]
pub struct Listing {
    /// (listing id, seller id, request id, status).
    pub listings: Vec<(String, String, String, String)>,
    pub measures: Vec<Measure>,
    /// (seller id, suspension id, still in force).
    pub suspensions: Vec<(String, String, bool)>,
}

impl Listing {
    pub async fn read(db: &DatabaseConnection) -> Self {
        let listings = rows(
            db,
            "SELECT listing_id, seller_id, request_id, status FROM listings",
        )
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
        let measures = rows(
            db,
            "SELECT listing_id, kind, measure_key, \
             CASE WHEN lifted_at IS NULL THEN 'true' ELSE 'false' END FROM listing_measures",
        )
        .await
        .into_iter()
        .map(|r| Measure {
            listing_id: r[0].clone(),
            kind: r[1].clone(),
            key: r[2].clone(),
            active: r[3] == "true",
        })
        .collect();
        let suspensions = rows(
            db,
            "SELECT seller_id, suspension_id, \
             CASE WHEN lifted_at IS NULL THEN 'true' ELSE 'false' END FROM seller_suspensions",
        )
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2] == "true"))
        .collect();
        Self {
            listings,
            measures,
            suspensions,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Violation {
    pub case_id: String,
    pub seller_id: String,
    pub upheld: bool,
}

/// Seller-reputation's record.
#[derive(Debug, Default)]
pub struct Reputation {
    pub violations: Vec<Violation>,
    /// (seller id, suspension id, still in force).
    pub suspensions: Vec<(String, String, bool)>,
}

impl Reputation {
    pub async fn read(db: &DatabaseConnection) -> Self {
        let violations = rows(db, "SELECT case_id, seller_id, state FROM violations")
            .await
            .into_iter()
            .map(|r| Violation {
                case_id: r[0].clone(),
                seller_id: r[1].clone(),
                upheld: r[2] == "upheld",
            })
            .collect();
        let suspensions = rows(
            db,
            "SELECT seller_id, suspension_id, \
             CASE WHEN ended_at IS NULL THEN 'true' ELSE 'false' END FROM suspensions",
        )
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2] == "true"))
        .collect();
        Self {
            violations,
            suspensions,
        }
    }
}

/// Outbox rows still owed: pending (except deadlines that lie weeks ahead by design) or parked,
/// as "status kind key: last error".
pub async fn outbox_owed(db: &DatabaseConnection) -> Vec<String> {
    rows(
        db,
        "SELECT status, kind, \"key\", COALESCE(last_error, '') FROM outbox \
         WHERE status = 'parked' OR (status = 'pending' \
           AND kind NOT IN ('reputation.suspension_end', 'reputation.retention'))",
    )
    .await
    .into_iter()
    .map(|r| format!("{} {} {}: {}", r[0], r[1], r[2], r[3]))
    .collect()
}
