//! GetCase, ListCases and the changes on a case: DecideCase, SubmitCounterNotice,
//! ConfirmLegalAction, FileAppeal, DecideAppeal.

use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceResult, Violations};

use super::EnforcementApi;
use super::access::{self, CaseAccess};
use super::convert;
use super::policy::{APPEAL, COUNTER_NOTICE, DECIDE, LEGAL_ACTION};
use crate::domain::vocabulary::CaseOutcome;
use crate::store::{AppealFiling, CaseFilter, CaseView, PageRequest};

fn require_urls(v: &mut Violations, urls: &[String]) {
    for (i, url) in urls.iter().enumerate() {
        v.check(
            url.starts_with("https://") || url.starts_with("http://"),
            format!("evidence_urls[{i}]"),
            "must be an http(s) URL",
        );
    }
}

impl EnforcementApi {
    fn full_case(view: &CaseView, p: &Principal) -> Option<pb::Case> {
        Some(convert::case(view, CaseAccess::Full, &p.subject))
    }

    pub(super) async fn get_case(
        &self,
        p: &Principal,
        req: pb::GetCaseRequest,
    ) -> ServiceResult<pb::GetCaseResponse> {
        let mut v = Violations::new();
        v.require(&req.case_id, "case_id");
        v.finish()?;
        let view = self.store.case(&req.case_id).await?;
        let access = access::case_access(p, &view)?;
        Ok(pb::GetCaseResponse {
            r#case: Some(convert::case(&view, access, &p.subject)),
        })
    }

    pub(super) async fn list_cases(
        &self,
        p: &Principal,
        req: pb::ListCasesRequest,
    ) -> ServiceResult<pb::ListCasesResponse> {
        let mut filter = CaseFilter {
            status: convert::status(req.status),
            source: convert::source(req.source),
            jurisdiction: (!req.jurisdiction.is_empty())
                .then(|| req.jurisdiction.to_ascii_uppercase()),
            seller_id: (!req.seller_id.is_empty()).then(|| req.seller_id.clone()),
            notifier_id: None,
        };
        let access = access::restrict_cases(p, &mut filter)?;
        let page = PageRequest {
            size: req.page_size,
            token: req.page_token,
        };
        let found = self.store.cases(&filter, &page).await?;
        Ok(pb::ListCasesResponse {
            cases: found
                .items
                .iter()
                .map(|c| convert::case(c, access, &p.subject))
                .collect(),
            next_page_token: found.next_token,
        })
    }

    pub(super) async fn decide_case(
        &self,
        p: &Principal,
        req: pb::DecideCaseRequest,
    ) -> ServiceResult<pb::DecideCaseResponse> {
        let mut v = Violations::new();
        v.require(&req.case_id, "case_id");
        let outcome = convert::case_outcome(req.outcome);
        v.check(outcome.is_some(), "outcome", "must be UPHOLD or REJECT");
        if v.require(&req.explanation, "explanation") {
            v.max_chars(&req.explanation, 5000, "explanation");
        }
        let severity = convert::severity(req.severity);
        v.check(
            outcome != Some(CaseOutcome::Uphold) || severity.is_some(),
            "severity",
            "is required to uphold",
        );
        v.finish()?;
        let outcome = outcome.ok_or_else(missing_outcome)?;
        let actor = access::actor(p, DECIDE);
        let view = self
            .store
            .decide_case(&actor, &req.case_id, outcome, &req.explanation, severity)
            .await?;
        self.wake.wake();
        Ok(pb::DecideCaseResponse {
            r#case: Self::full_case(&view, p),
        })
    }

    pub(super) async fn submit_counter_notice(
        &self,
        p: &Principal,
        req: pb::SubmitCounterNoticeRequest,
    ) -> ServiceResult<pb::SubmitCounterNoticeResponse> {
        let mut v = Violations::new();
        v.require(&req.case_id, "case_id");
        if v.require(&req.declaration, "declaration") {
            v.max_chars(&req.declaration, 10_000, "declaration");
        }
        require_urls(&mut v, &req.evidence_urls);
        v.finish()?;
        let actor = access::actor(p, COUNTER_NOTICE);
        let view = self
            .store
            .submit_counter_notice(&actor, &req.case_id, &req.declaration, &req.evidence_urls)
            .await?;
        self.wake.wake();
        Ok(pb::SubmitCounterNoticeResponse {
            r#case: Some(convert::case(&view, CaseAccess::Redacted, &p.subject)),
        })
    }

    pub(super) async fn confirm_legal_action(
        &self,
        p: &Principal,
        req: pb::ConfirmLegalActionRequest,
    ) -> ServiceResult<pb::ConfirmLegalActionResponse> {
        let mut v = Violations::new();
        v.require(&req.case_id, "case_id");
        v.require(&req.authority_or_court, "authority_or_court");
        v.require(&req.reference, "reference");
        v.finish()?;
        let actor = access::actor(p, LEGAL_ACTION);
        let is_admin = p.has_role(Role::Admin);
        let view = self
            .store
            .confirm_legal_action(
                &actor,
                is_admin,
                &req.case_id,
                &req.authority_or_court,
                &req.reference,
            )
            .await?;
        self.wake.wake();
        let access = if is_admin {
            CaseAccess::Full
        } else {
            CaseAccess::Redacted
        };
        Ok(pb::ConfirmLegalActionResponse {
            r#case: Some(convert::case(&view, access, &p.subject)),
        })
    }

    pub(super) async fn file_appeal(
        &self,
        p: &Principal,
        req: pb::FileAppealRequest,
    ) -> ServiceResult<pb::FileAppealResponse> {
        let mut v = Violations::new();
        v.require(&req.request_id, "request_id");
        v.require(&req.case_id, "case_id");
        if v.require(&req.grounds, "grounds") {
            v.max_chars(&req.grounds, 10_000, "grounds");
        }
        v.finish()?;
        let actor = access::actor(p, APPEAL);
        let filing = AppealFiling {
            request_id: req.request_id,
            case_id: req.case_id,
            grounds: req.grounds,
        };
        let appeal = self.store.file_appeal(&actor, &filing).await?;
        Ok(pb::FileAppealResponse {
            appeal: Some(convert::appeal(&appeal)),
        })
    }

    pub(super) async fn decide_appeal(
        &self,
        p: &Principal,
        req: pb::DecideAppealRequest,
    ) -> ServiceResult<pb::DecideAppealResponse> {
        let mut v = Violations::new();
        v.require(&req.appeal_id, "appeal_id");
        let outcome = convert::appeal_outcome(req.outcome);
        v.check(outcome.is_some(), "outcome", "must be REVERSE or UPHOLD");
        v.require(&req.explanation, "explanation");
        v.finish()?;
        let outcome = outcome.ok_or_else(missing_outcome)?;
        let actor = access::actor(p, DECIDE);
        let (appeal, view) = self
            .store
            .decide_appeal(&actor, &req.appeal_id, outcome, &req.explanation)
            .await?;
        self.wake.wake();
        Ok(pb::DecideAppealResponse {
            appeal: Some(convert::appeal(&appeal)),
            r#case: Self::full_case(&view, p),
        })
    }
}

/// Validation above guarantees an outcome; answering INTERNAL keeps this free of panics.
fn missing_outcome() -> genuine_runtime::errors::ServiceError {
    genuine_runtime::errors::ServiceError::internal("outcome missing after validation")
}
