//! Statements of reasons (DSA Art. 17) in the form of the EU Transparency Database.

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::time;
use super::enums::{
    AccountType, AutomatedDecision, ContentType, DecisionAccount, DecisionGround,
    DecisionVisibility, Keyword, SourceType, StatementCategory, all,
};

/// A statement of reasons; holds no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub statement_of_reasons_id: String,
    pub case_id: String,
    pub decision_visibility: Vec<DecisionVisibility>,
    pub decision_account: DecisionAccount,
    pub decision_ground: DecisionGround,
    pub illegal_content_legal_ground: String,
    pub illegal_content_explanation: String,
    pub incompatible_content_ground: String,
    pub incompatible_content_explanation: String,
    pub content_type: ContentType,
    pub category: StatementCategory,
    pub category_specification: Vec<Keyword>,
    /// At most 5000 characters.
    pub decision_facts: String,
    pub source_type: SourceType,
    pub automated_detection: bool,
    pub automated_decision: AutomatedDecision,
    /// EU/EEA ISO 3166-1 alpha-2 codes.
    pub territorial_scope: Vec<String>,
    /// YYYY-MM-DD.
    pub application_date: String,
    /// YYYY-MM-DD.
    pub content_date: String,
    pub account_type: AccountType,
    /// Unique per platform.
    pub puid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<Utc>>,
    /// The statement exactly as it is to be POSTed to the Transparency Database API.
    #[schema(value_type = Object)]
    pub transparency_database: serde_json::Value,
    /// Set when this statement replaces an earlier one (after a reversal).
    pub supersedes_statement_of_reasons_id: String,
}

/// A page of statements, in creation order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatementList {
    pub statements: Vec<Statement>,
    pub next_page_token: String,
}

/// Query of `GET /v1/statements`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListStatementsQuery {
    /// Only statements created at or after this time (RFC 3339).
    pub since: Option<String>,
    /// At most this many (service default when absent).
    #[param(minimum = 1, maximum = 1000)]
    pub page_size: Option<i32>,
    /// `nextPageToken` of the previous page.
    pub page_token: Option<String>,
}

impl Statement {
    #[must_use]
    pub fn from_proto(s: &pb::StatementOfReasons) -> Self {
        Self {
            statement_of_reasons_id: s.statement_of_reasons_id.clone(),
            case_id: s.case_id.clone(),
            decision_visibility: all(&s.decision_visibility, DecisionVisibility),
            decision_account: DecisionAccount(s.decision_account),
            decision_ground: DecisionGround(s.decision_ground),
            illegal_content_legal_ground: s.illegal_content_legal_ground.clone(),
            illegal_content_explanation: s.illegal_content_explanation.clone(),
            incompatible_content_ground: s.incompatible_content_ground.clone(),
            incompatible_content_explanation: s.incompatible_content_explanation.clone(),
            content_type: ContentType(s.content_type),
            category: StatementCategory(s.category),
            category_specification: all(&s.category_specification, Keyword),
            decision_facts: s.decision_facts.clone(),
            source_type: SourceType(s.source_type),
            automated_detection: s.automated_detection,
            automated_decision: AutomatedDecision(s.automated_decision),
            territorial_scope: s.territorial_scope.clone(),
            application_date: s.application_date.clone(),
            content_date: s.content_date.clone(),
            account_type: AccountType(s.account_type),
            puid: s.puid.clone(),
            create_time: time(s.create_time.as_ref()),
            transparency_database: serde_json::from_str(&s.transparency_database_json)
                .unwrap_or_else(|_| serde_json::Value::Object(serde_json::Map::new())),
            supersedes_statement_of_reasons_id: s.supersedes_statement_of_reasons_id.clone(),
        }
    }
}
