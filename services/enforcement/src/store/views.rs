//! Read models: a row with the rows that belong to it, as the API shows them.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::{appeal, case, case_event, case_notice, notice, statement};

/// A notice as stored.
pub type NoticeView = notice::Model;

/// An appeal as stored.
pub type AppealView = appeal::Model;

/// A case with its notices, notifiers, timeline, appeals and statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub case: case::Model,
    pub notice_ids: Vec<String>,
    pub notifier_ids: Vec<String>,
    pub timeline: Vec<case_event::Model>,
    pub appeal_ids: Vec<String>,
    pub statement_ids: Vec<String>,
}

impl CaseView {
    /// Loads what belongs to `case`.
    ///
    /// # Errors
    /// The database error.
    pub async fn load<C: ConnectionTrait>(conn: &C, case: case::Model) -> Result<Self, DbErr> {
        let links = case_notice::Entity::find()
            .filter(case_notice::Column::CaseId.eq(&case.case_id))
            .order_by_asc(case_notice::Column::JoinedAt)
            .order_by_asc(case_notice::Column::NoticeId)
            .all(conn)
            .await?;
        let timeline = case_event::Entity::find()
            .filter(case_event::Column::CaseId.eq(&case.case_id))
            .order_by_asc(case_event::Column::Seq)
            .all(conn)
            .await?;
        let appeal_ids = appeal::Entity::find()
            .select_only()
            .column(appeal::Column::AppealId)
            .filter(appeal::Column::CaseId.eq(&case.case_id))
            .order_by_asc(appeal::Column::FiledAt)
            .into_tuple()
            .all(conn)
            .await?;
        let statement_ids = statement::Entity::find()
            .select_only()
            .column(statement::Column::StatementId)
            .filter(statement::Column::CaseId.eq(&case.case_id))
            .order_by_asc(statement::Column::CreatedAt)
            .order_by_asc(statement::Column::StatementId)
            .into_tuple()
            .all(conn)
            .await?;
        let mut notifier_ids: Vec<String> = links.iter().map(|l| l.notifier_id.clone()).collect();
        notifier_ids.sort();
        notifier_ids.dedup();
        Ok(Self {
            notice_ids: links.into_iter().map(|l| l.notice_id).collect(),
            notifier_ids,
            timeline,
            appeal_ids,
            statement_ids,
            case,
        })
    }
}
