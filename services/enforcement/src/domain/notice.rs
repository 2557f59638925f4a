//! Notice completeness (DSA Art. 16(2)): every missing or malformed field is collected and named,
//! so the notifier fixes them all at once.

use genuine_runtime::errors::{ServiceResult, Violations};

use super::vocabulary::{NoticeGround, NoticeSource};

/// Most listings one notice may name.
pub const MAX_LISTINGS: usize = 100;
/// Longest explanation accepted.
pub const MAX_EXPLANATION_CHARS: usize = 10_000;

/// A notice as submitted, before it is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeDraft {
    pub request_id: String,
    pub source: Option<NoticeSource>,
    pub ground: Option<NoticeGround>,
    pub notifier_id: String,
    pub notifier_name: String,
    pub notifier_email: String,
    pub notifier_organization: String,
    pub listing_ids: Vec<String>,
    pub explanation: String,
    pub evidence_urls: Vec<String>,
    pub good_faith_declaration: bool,
    pub jurisdiction: String,
    pub has_automated_detection: bool,
}

/// Checks completeness and form, naming every violation.
///
/// # Errors
/// `INVALID_ARGUMENT` with one field violation per problem.
pub fn check_complete(draft: &NoticeDraft) -> ServiceResult<()> {
    let mut v = Violations::new();
    v.require(&draft.request_id, "request_id");
    v.check(draft.source.is_some(), "source", "is required");
    v.check(draft.ground.is_some(), "ground", "is required");
    let automated = draft.source == Some(NoticeSource::AutomatedDetection);
    let regulator = draft.source == Some(NoticeSource::Regulator);

    if v.check(
        !draft.listing_ids.is_empty(),
        "listing_ids",
        "name at least one listing",
    ) {
        v.check(
            draft.listing_ids.len() <= MAX_LISTINGS,
            "listing_ids",
            format!("at most {MAX_LISTINGS} listings per notice"),
        );
        for (i, id) in draft.listing_ids.iter().enumerate() {
            if v.require(id, format!("listing_ids[{i}]")) && draft.listing_ids[..i].contains(id) {
                v.add(format!("listing_ids[{i}]"), "is named twice");
            }
        }
    }
    if v.require(&draft.explanation, "explanation") {
        v.max_chars(&draft.explanation, MAX_EXPLANATION_CHARS, "explanation");
    }
    if regulator {
        v.require(&draft.notifier_organization, "notifier.organization");
    } else if !automated {
        v.require(&draft.notifier_name, "notifier.name");
        if v.require(&draft.notifier_email, "notifier.email") {
            v.check(
                looks_like_email(&draft.notifier_email),
                "notifier.email",
                "is not an e-mail address",
            );
        }
    }
    if !automated {
        v.require(&draft.notifier_id, "notifier.notifier_id");
        v.check(
            draft.good_faith_declaration,
            "good_faith_declaration",
            "the notice must declare that it is accurate and made in good faith",
        );
    }
    if regulator || !draft.jurisdiction.is_empty() {
        v.check(
            is_country_code(&draft.jurisdiction),
            "jurisdiction",
            "must be an ISO 3166-1 alpha-2 code, e.g. DE",
        );
    }
    for (i, url) in draft.evidence_urls.iter().enumerate() {
        v.check(
            url.starts_with("https://") || url.starts_with("http://"),
            format!("evidence_urls[{i}]"),
            "must be an http(s) URL",
        );
    }
    v.check(
        automated || !draft.has_automated_detection,
        "automated_detection",
        "only for source AUTOMATED_DETECTION",
    );
    v.finish()
}

fn looks_like_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace)
}

/// Two upper-case ASCII letters.
#[must_use]
pub fn is_country_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use genuine_runtime::errors::ErrorCode;

    fn complete() -> NoticeDraft {
        NoticeDraft {
            request_id: "r-1".into(),
            source: Some(NoticeSource::RightsHolder),
            ground: Some(NoticeGround::Counterfeit),
            notifier_id: "brand-owner-1".into(),
            notifier_name: "Acme Legal".into(),
            notifier_email: "legal@acme.example".into(),
            notifier_organization: String::new(),
            listing_ids: vec!["l-1".into()],
            explanation: "Logo and serial numbers do not match genuine goods.".into(),
            evidence_urls: vec!["https://acme.example/evidence/1".into()],
            good_faith_declaration: true,
            jurisdiction: "DE".into(),
            has_automated_detection: false,
        }
    }

    fn fields(draft: &NoticeDraft) -> Vec<String> {
        let error = check_complete(draft).expect_err("incomplete");
        assert_eq!(error.code(), ErrorCode::InvalidArgument);
        error
            .field_violations()
            .iter()
            .map(|f| f.field.clone())
            .collect()
    }

    #[test]
    fn a_complete_notice_passes() {
        assert!(check_complete(&complete()).is_ok());
    }

    #[test]
    fn every_missing_field_is_named() {
        let empty = NoticeDraft::default();
        assert_eq!(
            fields(&empty),
            [
                "request_id",
                "source",
                "ground",
                "listing_ids",
                "explanation",
                "notifier.name",
                "notifier.email",
                "notifier.notifier_id",
                "good_faith_declaration"
            ]
        );
    }

    #[test]
    fn a_regulator_names_its_agency_and_jurisdiction_instead_of_a_person() {
        let mut draft = complete();
        draft.source = Some(NoticeSource::Regulator);
        draft.notifier_name.clear();
        draft.notifier_email.clear();
        draft.jurisdiction = "de".into();
        assert_eq!(fields(&draft), ["notifier.organization", "jurisdiction"]);
        draft.notifier_organization = "Bundesnetzagentur".into();
        draft.jurisdiction = "DE".into();
        assert!(check_complete(&draft).is_ok());
    }

    #[test]
    fn automated_detection_needs_no_person_or_good_faith_statement() {
        let draft = NoticeDraft {
            source: Some(NoticeSource::AutomatedDetection),
            notifier_id: String::new(),
            notifier_name: String::new(),
            notifier_email: String::new(),
            good_faith_declaration: false,
            has_automated_detection: true,
            ..complete()
        };
        assert!(check_complete(&draft).is_ok());
        let mut consumer = complete();
        consumer.has_automated_detection = true;
        assert_eq!(fields(&consumer), ["automated_detection"]);
    }

    #[test]
    fn malformed_values_are_named_by_position() {
        let mut draft = complete();
        draft.listing_ids = vec!["l-1".into(), " ".into(), "l-1".into()];
        draft.notifier_email = "not an email".into();
        draft.evidence_urls = vec!["https://ok.example".into(), "ftp://x".into()];
        assert_eq!(
            fields(&draft),
            [
                "listing_ids[1]",
                "listing_ids[2]",
                "notifier.email",
                "evidence_urls[1]"
            ]
        );
    }

    #[test]
    fn too_many_listings_and_too_long_explanations_are_refused() {
        let mut draft = complete();
        draft.listing_ids = (0..=MAX_LISTINGS).map(|i| format!("l-{i}")).collect();
        draft.explanation = "x".repeat(MAX_EXPLANATION_CHARS + 1);
        assert_eq!(fields(&draft), ["listing_ids", "explanation"]);
    }
}
