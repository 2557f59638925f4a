//! AddProhibitedTerms, ListProhibitedTerms.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::errors::{ServiceResult, Violations};

use super::{ListingApi, convert};
use crate::screening::TermEntry;
use crate::screening::normalize::normalize;
use crate::store::{self, NewTerm, PageRequest};

/// Terms per call.
const MAX_TERMS: usize = 1000;
/// Longest term, in characters.
const MAX_TERM_CHARS: usize = 100;

impl ListingApi {
    pub(super) async fn add_prohibited_terms(
        &self,
        request: pb::AddProhibitedTermsRequest,
    ) -> ServiceResult<pb::AddProhibitedTermsResponse> {
        let mut v = Violations::new();
        v.check(!request.terms.is_empty(), "terms", "give at least one term");
        v.check(
            request.terms.len() <= MAX_TERMS,
            "terms",
            format!("at most {MAX_TERMS} terms per call"),
        );
        let mut terms = Vec::new();
        for (i, t) in request.terms.iter().enumerate() {
            let field = format!("terms[{i}].term");
            let term = t.term.trim();
            if v.require(term, field.clone()) && v.max_chars(term, MAX_TERM_CHARS, field.clone()) {
                v.check(
                    !normalize(term).is_empty(),
                    field,
                    "must contain letters or digits",
                );
            }
            let language = if t.language.trim().is_empty() {
                "und"
            } else {
                t.language.trim()
            };
            v.check(
                language.len() <= 35
                    && language
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-'),
                format!("terms[{i}].language"),
                "must be a BCP 47 language tag such as en or zh-Hans",
            );
            terms.push(NewTerm {
                term: term.to_owned(),
                language: language.to_owned(),
            });
        }
        v.finish()?;
        let added = store::add_terms(&self.db, terms, self.now()).await?;
        let entries = added
            .iter()
            .map(|t| TermEntry {
                term: t.term.clone(),
                language: t.language.clone(),
            })
            .collect();
        if let Err(error) = self.catalog.add_terms(entries) {
            tracing::error!(%error, "screening catalogue not updated with new terms");
        }
        Ok(pb::AddProhibitedTermsResponse {
            added: u32::try_from(added.len()).unwrap_or(u32::MAX),
            terms: added.iter().map(convert::term).collect(),
        })
    }

    pub(super) async fn list_prohibited_terms(
        &self,
        request: pb::ListProhibitedTermsRequest,
    ) -> ServiceResult<pb::ListProhibitedTermsResponse> {
        let page = PageRequest::parse(request.page_size, &request.page_token)?;
        let page = store::list_terms(&self.db, &page).await?;
        Ok(pb::ListProhibitedTermsResponse {
            terms: page.items.iter().map(convert::term).collect(),
            next_page_token: page.next_page_token,
        })
    }
}
