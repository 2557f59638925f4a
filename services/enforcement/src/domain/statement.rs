//! Statements of reasons (DSA Art. 17, Art. 24(5)) in the form of the EU Transparency Database
//! API. Values are the database's own names; nothing personal goes in (no notifier, no seller
//! name, e-mail addresses and URLs are removed from the reviewer's explanation).

use chrono::NaiveDate;
use genuine_runtime::errors::{ServiceResult, Violations};
use serde_json::{Value, json};

use super::case_state::StatementKind;
use super::vocabulary::{NoticeGround, NoticeSource};

/// EU member states and the other EEA states: the only codes the database accepts.
pub const EU_EEA: [&str; 30] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];
/// Longest `decision_facts` the database accepts.
pub const MAX_FACTS_CHARS: usize = 5000;
/// Longest `puid` the database accepts.
pub const MAX_PUID_CHARS: usize = 500;

/// What the statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementInput {
    /// Platform-unique id; becomes the `puid`.
    pub puid: String,
    pub kind: StatementKind,
    /// A takedown on receipt, before a reviewer decided (content disabled, not removed).
    pub provisional: bool,
    pub ground: NoticeGround,
    pub source: NoticeSource,
    /// Whether no person took the decision.
    pub automated_decision: bool,
    /// The reviewer's explanation (personal data is removed before it is used).
    pub explanation: String,
    /// Where the restriction applies; a takedown applies everywhere, so all of [`EU_EEA`].
    pub territorial_scope: Vec<String>,
    pub application_date: NaiveDate,
    pub content_date: NaiveDate,
}

/// A statement ready to store and submit; field names and values are the database's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub puid: String,
    pub decision_visibility: Vec<&'static str>,
    pub decision_ground: &'static str,
    pub illegal_content_legal_ground: String,
    pub illegal_content_explanation: String,
    pub content_type: &'static str,
    pub category: &'static str,
    pub category_specification: Vec<&'static str>,
    pub decision_facts: String,
    pub source_type: &'static str,
    pub automated_detection: bool,
    pub automated_decision: &'static str,
    pub territorial_scope: Vec<String>,
    pub application_date: String,
    pub content_date: String,
    pub account_type: &'static str,
}

impl Statement {
    /// The JSON body for the Transparency Database API.
    #[must_use]
    pub fn to_database_json(&self) -> Value {
        let mut body = json!({
            "puid": self.puid,
            "decision_visibility": self.decision_visibility,
            "decision_ground": self.decision_ground,
            "illegal_content_legal_ground": self.illegal_content_legal_ground,
            "illegal_content_explanation": self.illegal_content_explanation,
            "content_type": [self.content_type],
            "category": self.category,
            "category_specification": self.category_specification,
            "decision_facts": self.decision_facts,
            "source_type": self.source_type,
            "automated_detection": if self.automated_detection { "Yes" } else { "No" },
            "automated_decision": self.automated_decision,
            "territorial_scope": self.territorial_scope,
            "application_date": self.application_date,
            "content_date": self.content_date,
            "account_type": self.account_type,
        });
        if self
            .decision_visibility
            .contains(&"DECISION_VISIBILITY_OTHER")
            && let Some(map) = body.as_object_mut()
        {
            map.insert(
                "decision_visibility_other".to_owned(),
                Value::String("restriction lifted: decision reversed on appeal".to_owned()),
            );
        }
        body
    }
}

/// Builds the statement for `input`.
///
/// # Errors
/// `INVALID_ARGUMENT` when the puid or territorial scope would be refused by the database.
pub fn build(input: &StatementInput) -> ServiceResult<Statement> {
    let mut v = Violations::new();
    v.check(
        is_valid_puid(&input.puid),
        "puid",
        "1-500 characters of [A-Za-z0-9_-]",
    );
    v.check(
        !input.territorial_scope.is_empty(),
        "territorial_scope",
        "is required",
    );
    for (i, code) in input.territorial_scope.iter().enumerate() {
        v.check(
            EU_EEA.contains(&code.as_str()),
            format!("territorial_scope[{i}]"),
            "must be an EU/EEA country code",
        );
    }
    v.finish()?;

    let visibility = match (input.kind, input.provisional) {
        (StatementKind::Reversal, _) => "DECISION_VISIBILITY_OTHER",
        (StatementKind::Restriction, true) => "DECISION_VISIBILITY_CONTENT_DISABLED",
        (StatementKind::Restriction, false) => "DECISION_VISIBILITY_CONTENT_REMOVED",
    };
    let (legal_ground, category, keywords) = classify(input.ground);
    let facts = decision_facts(input);
    Ok(Statement {
        puid: input.puid.clone(),
        decision_visibility: vec![visibility],
        decision_ground: "DECISION_GROUND_ILLEGAL_CONTENT",
        illegal_content_legal_ground: legal_ground.to_owned(),
        illegal_content_explanation: truncate(&redact(&input.explanation), MAX_FACTS_CHARS),
        content_type: "CONTENT_TYPE_PRODUCT",
        category,
        category_specification: keywords.to_vec(),
        decision_facts: facts,
        source_type: source_type(input.source),
        automated_detection: input.source == NoticeSource::AutomatedDetection,
        automated_decision: if input.automated_decision {
            "AUTOMATED_DECISION_FULLY"
        } else {
            "AUTOMATED_DECISION_NOT_AUTOMATED"
        },
        territorial_scope: input.territorial_scope.clone(),
        application_date: input.application_date.format("%Y-%m-%d").to_string(),
        content_date: input.content_date.format("%Y-%m-%d").to_string(),
        account_type: "ACCOUNT_TYPE_BUSINESS",
    })
}

/// The whole EU/EEA, for restrictions that apply everywhere.
#[must_use]
pub fn everywhere() -> Vec<String> {
    EU_EEA.iter().map(|c| (*c).to_owned()).collect()
}

/// Whether the database accepts `puid`.
#[must_use]
pub fn is_valid_puid(puid: &str) -> bool {
    !puid.is_empty()
        && puid.len() <= MAX_PUID_CHARS
        && puid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Legal ground, category and keywords of a notice ground.
const fn classify(ground: NoticeGround) -> (&'static str, &'static str, &'static [&'static str]) {
    const IP: &str = "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS";
    const UNSAFE: &str = "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS";
    match ground {
        NoticeGround::Counterfeit => (
            "Counterfeit goods: trade mark infringement (Regulation (EU) 2017/1001 Art. 9)",
            IP,
            &[
                "KEYWORD_TRADEMARK_INFRINGEMENT",
                "KEYWORD_INAUTHENTIC_LISTINGS",
            ],
        ),
        NoticeGround::TrademarkInfringement => (
            "Trade mark infringement (Regulation (EU) 2017/1001 Art. 9)",
            IP,
            &["KEYWORD_TRADEMARK_INFRINGEMENT"],
        ),
        NoticeGround::DesignOrPatentInfringement => (
            "Design or patent infringement (Regulation (EC) No 6/2002; national patent law)",
            IP,
            &["KEYWORD_DESIGN_INFRINGEMENT", "KEYWORD_PATENT_INFRINGEMENT"],
        ),
        NoticeGround::SubstandardQuality => (
            "Non-compliant product, failed quality inspection (Regulation (EU) 2019/1020)",
            UNSAFE,
            &["KEYWORD_UNSAFE_PRODUCTS"],
        ),
        NoticeGround::UnsafeProduct => (
            "Dangerous product (General Product Safety Regulation (EU) 2023/988)",
            UNSAFE,
            &["KEYWORD_UNSAFE_PRODUCTS"],
        ),
        NoticeGround::ProhibitedProduct => (
            "Product whose sale is prohibited by Union or national law",
            UNSAFE,
            &["KEYWORD_PROHIBITED_PRODUCTS"],
        ),
        NoticeGround::MisleadingInformation => (
            "Misleading commercial practice (Directive 2005/29/EC)",
            "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
            &["KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS"],
        ),
    }
}

const fn source_type(source: NoticeSource) -> &'static str {
    match source {
        NoticeSource::RightsHolder | NoticeSource::Consumer => "SOURCE_ARTICLE_16",
        NoticeSource::TrustedFlagger => "SOURCE_TRUSTED_FLAGGER",
        NoticeSource::Regulator => "SOURCE_TYPE_OTHER_NOTIFICATION",
        NoticeSource::AutomatedDetection => "SOURCE_VOLUNTARY",
    }
}

fn decision_facts(input: &StatementInput) -> String {
    let what = match (input.kind, input.provisional) {
        (StatementKind::Reversal, _) => {
            "The earlier restriction of this product listing was reversed on appeal and the listing restored."
        }
        (StatementKind::Restriction, true) => {
            "The product listing was disabled on receipt of a notice pending review."
        }
        (StatementKind::Restriction, false) => {
            "The product listing was removed after review of a notice."
        }
    };
    let origin = match input.source {
        NoticeSource::AutomatedDetection => {
            "The listing was detected by the platform's own screening."
        }
        NoticeSource::Regulator => "The notice came from a competent authority.",
        NoticeSource::TrustedFlagger => "The notice came from a trusted flagger.",
        NoticeSource::RightsHolder => "The notice came from a rights holder.",
        NoticeSource::Consumer => "The notice came from a consumer.",
    };
    let facts = format!(
        "{what} {origin} Ground: {}. {}",
        input.ground.as_str().to_lowercase().replace('_', " "),
        redact(&input.explanation)
    );
    truncate(facts.trim(), MAX_FACTS_CHARS)
}

/// Removes words that may identify a person: e-mail addresses and URLs.
fn redact(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            if word.contains('@') || word.contains("://") || word.starts_with("www.") {
                "[redacted]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> StatementInput {
        StatementInput {
            puid: "case-0192_abc".into(),
            kind: StatementKind::Restriction,
            provisional: false,
            ground: NoticeGround::Counterfeit,
            source: NoticeSource::RightsHolder,
            automated_decision: false,
            explanation: "Fake logo; contact jane.doe@acme.example or see https://acme.example/x"
                .into(),
            territorial_scope: everywhere(),
            application_date: NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"),
            content_date: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        }
    }

    #[test]
    fn a_takedown_has_the_database_fields() {
        let s = build(&input()).expect("valid");
        assert_eq!(
            s.decision_visibility,
            ["DECISION_VISIBILITY_CONTENT_REMOVED"]
        );
        assert_eq!(
            s.category,
            "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
        );
        assert_eq!(
            s.category_specification,
            [
                "KEYWORD_TRADEMARK_INFRINGEMENT",
                "KEYWORD_INAUTHENTIC_LISTINGS"
            ]
        );
        assert_eq!(s.source_type, "SOURCE_ARTICLE_16");
        assert_eq!(s.application_date, "2026-11-29");
        assert_eq!(s.territorial_scope.len(), 30);
        let body = s.to_database_json();
        assert_eq!(body["automated_detection"], "No");
        assert_eq!(body["content_type"][0], "CONTENT_TYPE_PRODUCT");
        assert_eq!(body["account_type"], "ACCOUNT_TYPE_BUSINESS");
    }

    #[test]
    fn no_personal_data_reaches_the_statement() {
        let s = build(&input()).expect("valid");
        let text = s.to_database_json().to_string();
        assert!(!text.contains("jane.doe"), "{text}");
        assert!(!text.contains("acme.example/x"), "{text}");
        assert!(text.contains("[redacted]"));
    }

    #[test]
    fn bad_puid_and_non_eea_scope_are_refused_together() {
        let mut bad = input();
        bad.puid = "case 1/2".into();
        bad.territorial_scope = vec!["DE".into(), "US".into(), "CN".into()];
        let error = build(&bad).expect_err("invalid");
        let fields: Vec<_> = error
            .field_violations()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(
            fields,
            ["puid", "territorial_scope[1]", "territorial_scope[2]"]
        );
        assert!(!is_valid_puid(&"a".repeat(MAX_PUID_CHARS + 1)));
        assert!(is_valid_puid(&"a".repeat(MAX_PUID_CHARS)));
    }

    #[test]
    fn facts_are_capped_and_automation_is_reported() {
        let mut long = input();
        long.explanation = "word ".repeat(3000);
        long.source = NoticeSource::AutomatedDetection;
        long.automated_decision = true;
        long.provisional = true;
        let s = build(&long).expect("valid");
        assert_eq!(s.decision_facts.chars().count(), MAX_FACTS_CHARS);
        assert!(s.automated_detection);
        assert_eq!(s.automated_decision, "AUTOMATED_DECISION_FULLY");
        assert_eq!(s.source_type, "SOURCE_VOLUNTARY");
        assert_eq!(
            s.decision_visibility,
            ["DECISION_VISIBILITY_CONTENT_DISABLED"]
        );
    }

    #[test]
    fn every_ground_has_a_category_the_database_knows() {
        for ground in NoticeGround::ALL {
            let s = build(&StatementInput {
                ground: *ground,
                ..input()
            })
            .expect("valid");
            assert!(s.category.starts_with("STATEMENT_CATEGORY_"));
            assert!(
                s.category_specification
                    .iter()
                    .all(|k| k.starts_with("KEYWORD_"))
            );
        }
    }

    #[test]
    fn a_reversal_uses_other_visibility_with_its_text() {
        let s = build(&StatementInput {
            kind: StatementKind::Reversal,
            ..input()
        })
        .expect("valid");
        let body = s.to_database_json();
        assert_eq!(body["decision_visibility"][0], "DECISION_VISIBILITY_OTHER");
        assert!(body["decision_visibility_other"].is_string());
    }
}
