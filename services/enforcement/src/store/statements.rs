//! Statements of reasons: issued in the transaction of the restriction they explain, read back
//! as the Transparency Database JSON body.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::from_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::entities::{case, statement};
use super::page::{Page, PageRequest};
use super::{Actor, Store, audit, new_id};
use crate::domain::case_state::StatementKind;
use crate::domain::statement::{self as rules, StatementInput};
use crate::domain::vocabulary::{NoticeGround, NoticeSource};

/// What a statement is issued for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Issue<'a> {
    pub kind: StatementKind,
    /// A takedown on receipt, before any review.
    pub provisional: bool,
    /// The reviewer's explanation (personal data is removed when building).
    pub explanation: &'a str,
}

/// Issues a statement for `case` (already carrying its decision fields).
pub(crate) async fn issue<C: ConnectionTrait>(
    conn: &C,
    store: &Store,
    case: &case::Model,
    issue: Issue<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<statement::Model> {
    let statement_id = new_id();
    let input = StatementInput {
        puid: format!("genuine-sor-{statement_id}"),
        kind: issue.kind,
        provisional: issue.provisional,
        ground: NoticeGround::parse(&case.ground)
            .ok_or_else(|| ServiceError::internal("unknown stored ground"))?,
        source: NoticeSource::parse(&case.source)
            .ok_or_else(|| ServiceError::internal("unknown stored source"))?,
        automated_decision: issue.provisional || case.decision_automated,
        explanation: issue.explanation.to_owned(),
        territorial_scope: rules::everywhere(),
        application_date: now.date_naive(),
        // The listing's own creation date is the listing service's; the date it was reported is
        // the earliest date this service knows the content existed.
        content_date: from_millis(case.first_notice_at).date_naive(),
    };
    let built = rules::build(&input)?;
    let supersedes = if issue.kind == StatementKind::Reversal {
        statement::Entity::find()
            .filter(statement::Column::CaseId.eq(&case.case_id))
            .order_by_desc(statement::Column::CreatedAt)
            .order_by_desc(statement::Column::StatementId)
            .one(conn)
            .await?
            .map(|s| s.statement_id)
    } else {
        None
    };
    let row = statement::ActiveModel {
        statement_id: Set(statement_id),
        case_id: Set(case.case_id.clone()),
        seller_id: Set(case.seller_id.clone()),
        body: Set(built.to_database_json().to_string()),
        supersedes: Set(supersedes),
        created_at: Set(now.timestamp_millis()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        store.signer(),
        actor,
        now,
        "statement.issued",
        &row.statement_id,
        &row,
    )
    .await?;
    Ok(row)
}

impl Store {
    /// One statement.
    ///
    /// # Errors
    /// `NOT_FOUND`; the database error.
    pub async fn statement(&self, id: &str) -> ServiceResult<statement::Model> {
        statement::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .ok_or_else(|| ServiceError::not_found("statement of reasons", id))
    }

    /// Statements created at or after `since`, oldest first; only `seller_id`'s when given.
    ///
    /// # Errors
    /// A bad page token; the database error.
    pub async fn statements(
        &self,
        since: i64,
        seller_id: Option<&str>,
        page: &PageRequest,
    ) -> ServiceResult<Page<statement::Model>> {
        page.check()?;
        let mut query = statement::Entity::find().filter(statement::Column::CreatedAt.gte(since));
        if let Some(seller) = seller_id {
            query = query.filter(statement::Column::SellerId.eq(seller));
        }
        if let Some(key) = page.key(2)? {
            let at: i64 = key[0]
                .parse()
                .map_err(|_| ServiceError::invalid_field("page_token", "is malformed"))?;
            query = query.filter(
                Condition::any()
                    .add(statement::Column::CreatedAt.gt(at))
                    .add(
                        statement::Column::CreatedAt
                            .eq(at)
                            .and(statement::Column::StatementId.gt(key[1].clone())),
                    ),
            );
        }
        let rows = query
            .order_by_asc(statement::Column::CreatedAt)
            .order_by_asc(statement::Column::StatementId)
            .limit(page.limit() + 1)
            .all(self.db())
            .await?;
        Ok(Page::from_rows(rows, page.limit(), |s| {
            vec![s.created_at.to_string(), s.statement_id.clone()]
        }))
    }
}
