//! SubmitNotice, GetNotice, ListNotices.

use std::collections::HashMap;

use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_runtime::auth::Principal;
use genuine_runtime::errors::{ErrorCode, ServiceError, ServiceResult};
use prost::Message as _;

use super::EnforcementApi;
use super::access;
use super::convert::{self, AutomatedJson};
use super::policy::SUBMIT;
use crate::domain::audit::digest;
use crate::domain::notice::{NoticeDraft, check_complete};
use crate::store::{NewNotice, NoticeFilter, PageRequest};

fn draft(req: &pb::SubmitNoticeRequest) -> NoticeDraft {
    let notifier = req.notifier.clone().unwrap_or_default();
    NoticeDraft {
        request_id: req.request_id.clone(),
        source: convert::source(req.source),
        ground: convert::ground(req.ground),
        notifier_id: notifier.notifier_id,
        notifier_name: notifier.name,
        notifier_email: notifier.email,
        notifier_organization: notifier.organization,
        listing_ids: req.listing_ids.clone(),
        explanation: req.explanation.clone(),
        evidence_urls: req.evidence_urls.clone(),
        good_faith_declaration: req.good_faith_declaration,
        jurisdiction: req.jurisdiction.to_ascii_uppercase(),
        has_automated_detection: req.automated_detection.is_some(),
    }
}

impl EnforcementApi {
    pub(super) async fn submit_notice(
        &self,
        p: &Principal,
        req: pb::SubmitNoticeRequest,
    ) -> ServiceResult<pb::SubmitNoticeResponse> {
        let draft = draft(&req);
        check_complete(&draft)?;
        let source = draft
            .source
            .ok_or_else(|| ServiceError::invalid_field("source", "is required"))?;
        access::check_submitter(p, source, &draft)?;
        let actor = access::actor(p, SUBMIT);
        let request_digest = hex::encode(digest(&req.encode_to_vec()));

        // A retry is answered before anything else is asked of other services.
        if let Some(existing) = self
            .store
            .notice_by_request(&actor.subject, &draft.request_id)
            .await?
        {
            if existing.request_digest != request_digest {
                return Err(ServiceError::already_exists(format!(
                    "request_id {:?} was used for a different notice",
                    draft.request_id
                )));
            }
            return Ok(pb::SubmitNoticeResponse {
                notice: Some(convert::notice(&existing)),
            });
        }
        if !draft.notifier_id.is_empty()
            && let Some(until) = self
                .store
                .notifier_suspended_until(&draft.notifier_id)
                .await?
        {
            return Err(ServiceError::failed_precondition(
                "NOTIFIER_SUSPENDED",
                format!("notifiers/{}", draft.notifier_id),
                format!(
                    "notice processing for {} is suspended until {} for frequent manifestly unfounded notices",
                    draft.notifier_id,
                    genuine_runtime::clock::from_millis(until).to_rfc3339()
                ),
            ));
        }
        let sellers = self.sellers(&draft.listing_ids).await?;
        let new = NewNotice {
            brand_id: req.brand_id.clone(),
            automated_detection: req
                .automated_detection
                .as_ref()
                .and_then(|a| serde_json::to_string(&AutomatedJson::from(a)).ok()),
            request_digest,
            sellers,
            draft,
        };
        let submitted = self.store.submit_notice(&actor, new).await?;
        self.wake.wake();
        Ok(pb::SubmitNoticeResponse {
            notice: Some(convert::notice(&submitted.notice)),
        })
    }

    /// The seller of every listing; `NOT_FOUND` naming all unknown ones.
    async fn sellers(&self, listing_ids: &[String]) -> ServiceResult<HashMap<String, String>> {
        let lookups = listing_ids.iter().map(|id| self.listings.seller_of(id));
        let answers = futures::future::join_all(lookups).await;
        let mut sellers = HashMap::new();
        let mut missing = Vec::new();
        for (id, answer) in listing_ids.iter().zip(answers) {
            match answer? {
                Some(seller) => {
                    sellers.insert(id.clone(), seller);
                }
                None => missing.push(id.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(ServiceError::new(
                ErrorCode::NotFound,
                format!("listings not found: {}", missing.join(", ")),
            ));
        }
        Ok(sellers)
    }

    pub(super) async fn get_notice(
        &self,
        p: &Principal,
        req: pb::GetNoticeRequest,
    ) -> ServiceResult<pb::GetNoticeResponse> {
        if req.notice_id.trim().is_empty() {
            return Err(ServiceError::invalid_field("notice_id", "is required"));
        }
        let notice = self.store.notice(&req.notice_id).await?;
        access::check_notice(p, &notice)?;
        Ok(pb::GetNoticeResponse {
            notice: Some(convert::notice(&notice)),
        })
    }

    pub(super) async fn list_notices(
        &self,
        p: &Principal,
        req: pb::ListNoticesRequest,
    ) -> ServiceResult<pb::ListNoticesResponse> {
        let mut filter = NoticeFilter {
            source: convert::source(req.source),
            notifier_id: (!req.notifier_id.is_empty()).then(|| req.notifier_id.clone()),
            jurisdiction: None,
        };
        access::restrict_notices(p, &mut filter)?;
        let page = PageRequest {
            size: req.page_size,
            token: req.page_token,
        };
        let found = self.store.notices(&filter, &page).await?;
        Ok(pb::ListNoticesResponse {
            notices: found.items.iter().map(convert::notice).collect(),
            next_page_token: found.next_token,
        })
    }
}
