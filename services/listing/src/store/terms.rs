//! Prohibited vocabulary: unique by normalised form, so "Replica" and "R.E.P.L.I.C.A" are one
//! term.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::ServiceResult;
use genuine_runtime::storage::begin_write;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::prohibited_term;
use super::page::{Page, PageRequest};
use super::views::TermView;
use crate::screening::TermEntry;
use crate::screening::normalize::normalize;

/// A term to add (validated: its normalised form is not empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTerm {
    pub term: String,
    pub language: String,
}

/// Adds the terms not yet known; answers those added.
///
/// # Errors
/// Database errors.
pub async fn add_terms(
    db: &DatabaseConnection,
    terms: Vec<NewTerm>,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<TermView>> {
    let txn = begin_write(db).await?;
    let mut added = Vec::new();
    for term in terms {
        let normalized = normalize(&term.term);
        let inserted = prohibited_term::Entity::insert(prohibited_term::ActiveModel {
            normalized: Set(normalized),
            term: Set(term.term.clone()),
            language: Set(term.language.clone()),
            created_at: Set(to_millis(now)),
        })
        .on_conflict(
            OnConflict::column(prohibited_term::Column::Normalized)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted > 0 {
            added.push(TermView {
                term: term.term,
                language: term.language,
                create_time: now,
            });
        }
    }
    txn.commit().await?;
    Ok(added)
}

/// A page of terms in normalised order.
///
/// # Errors
/// Database errors.
pub async fn list_terms(
    db: &DatabaseConnection,
    page: &PageRequest,
) -> ServiceResult<Page<TermView>> {
    let mut query =
        prohibited_term::Entity::find().order_by_asc(prohibited_term::Column::Normalized);
    if let Some(after) = &page.after {
        query = query.filter(prohibited_term::Column::Normalized.gt(after.as_str()));
    }
    let rows = query.limit(page.size + 1).all(db).await?;
    let keyed: Vec<(String, TermView)> = rows
        .into_iter()
        .map(|r| (r.normalized.clone(), TermView::from(r)))
        .collect();
    let page = page.page(keyed, |(key, _)| key);
    Ok(Page {
        items: page.items.into_iter().map(|(_, view)| view).collect(),
        next_page_token: page.next_page_token,
    })
}

/// Every term, for building the screening catalogue.
///
/// # Errors
/// Database errors.
pub async fn load_terms(db: &DatabaseConnection) -> ServiceResult<Vec<TermEntry>> {
    Ok(prohibited_term::Entity::find()
        .order_by_asc(prohibited_term::Column::Normalized)
        .all(db)
        .await?
        .into_iter()
        .map(|r| TermEntry {
            term: r.term,
            language: r.language,
        })
        .collect())
}
