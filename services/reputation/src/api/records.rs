//! Violation and inspection RPCs.

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::access::{actor, require_full, visibility};
use super::policy::{INSPECT, RECORD_VIOLATION};
use super::{ReputationApi, convert, validate};
use crate::store::{NewInspection, NewViolation, PageRequest};

impl ReputationApi {
    pub(super) async fn record_violation(
        &self,
        who: &Principal,
        req: pb::RecordViolationRequest,
    ) -> ServiceResult<pb::RecordViolationResponse> {
        let now = self.store.now();
        let mut v = Violations::new();
        validate::id(&mut v, &req.violation_key, "violation_key");
        validate::id(&mut v, &req.seller_id, "seller_id");
        validate::id(&mut v, &req.case_id, "case_id");
        v.max_chars(&req.listing_id, validate::MAX_ID, "listing_id");
        let ground = convert::ground_of(req.ground);
        v.check(ground.is_some(), "ground", "is required");
        let severity = convert::severity_of(req.severity);
        v.check(
            severity.is_some(),
            "severity",
            "must be MINOR, MAJOR or CRITICAL",
        );
        let decided_at = validate::past_time(
            &mut v,
            req.decided_time.as_ref(),
            "decided_time",
            now,
            Some(now),
        );
        v.finish()?;
        let (Some(ground), Some(severity), Some(decided_at)) = (ground, severity, decided_at)
        else {
            return Err(ServiceError::invalid_field("request", "is incomplete"));
        };
        let new = NewViolation {
            violation_key: req.violation_key,
            seller_id: req.seller_id,
            case_id: req.case_id,
            listing_id: req.listing_id,
            ground,
            severity,
            decided_at,
        };
        let (row, standing) = self
            .store
            .record_violation(new, &actor(who, RECORD_VIOLATION))
            .await?;
        Ok(pb::RecordViolationResponse {
            standing: Some(convert::standing(
                &row.seller_id,
                &standing,
                self.store.now(),
            )),
            violation: Some(convert::violation(&row)),
        })
    }

    pub(super) async fn retract_violation(
        &self,
        req: pb::RetractViolationRequest,
    ) -> ServiceResult<pb::RetractViolationResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.violation_key, "violation_key");
        validate::text(&mut v, &req.reason, "reason");
        v.finish()?;
        let (row, standing) = self
            .store
            .retract_violation(&req.violation_key, req.reason.trim())
            .await?;
        Ok(pb::RetractViolationResponse {
            standing: Some(convert::standing(
                &row.seller_id,
                &standing,
                self.store.now(),
            )),
            violation: Some(convert::violation(&row)),
        })
    }

    pub(super) async fn record_inspection(
        &self,
        who: &Principal,
        req: pb::RecordInspectionRequest,
    ) -> ServiceResult<pb::RecordInspectionResponse> {
        let now = self.store.now();
        let agency = if req.agency.trim().is_empty() {
            who.agency.clone().unwrap_or_default()
        } else {
            req.agency.trim().to_owned()
        };
        let mut v = Violations::new();
        validate::id(&mut v, &req.request_id, "request_id");
        validate::id(&mut v, &req.seller_id, "seller_id");
        validate::text(&mut v, &agency, "agency");
        validate::text(&mut v, &req.product, "product");
        v.max_chars(&req.batch, validate::MAX_ID, "batch");
        v.max_chars(&req.report_ref, validate::MAX_TEXT, "report_ref");
        let result = convert::inspection_result_of(req.result);
        v.check(result.is_some(), "result", "must be PASS or FAIL");
        let inspected_at = validate::past_time(
            &mut v,
            req.inspected_time.as_ref(),
            "inspected_time",
            now,
            None,
        );
        v.finish()?;
        let (Some(result), Some(inspected_at)) = (result, inspected_at) else {
            return Err(ServiceError::invalid_field("request", "is incomplete"));
        };
        if !who.has_role(Role::Admin) {
            // A regulator files inspections about traders of its own jurisdiction only.
            let seller = self.store.seller(&req.seller_id).await?;
            visibility(who, &seller.row.seller_id, &seller.row.country_code)?;
        }
        let new = NewInspection {
            request_id: req.request_id,
            seller_id: req.seller_id,
            agency,
            product: req.product.trim().to_owned(),
            batch: req.batch.trim().to_owned(),
            result,
            inspected_at,
            report_ref: req.report_ref.trim().to_owned(),
        };
        let (row, standing) = self
            .store
            .record_inspection(new, &actor(who, INSPECT))
            .await?;
        Ok(pb::RecordInspectionResponse {
            standing: Some(convert::standing(
                &row.seller_id,
                &standing,
                self.store.now(),
            )),
            inspection: Some(convert::inspection(&row)),
        })
    }

    /// The page of a history RPC, after checking the caller may read the seller's record.
    async fn history_page(
        &self,
        who: &Principal,
        seller_id: &str,
        page_size: i32,
        page_token: &str,
    ) -> ServiceResult<PageRequest> {
        let mut v = Violations::new();
        validate::id(&mut v, seller_id, "seller_id");
        let page = PageRequest::parse(page_size, page_token);
        if let Err(error) = &page {
            for field in error.field_violations() {
                v.add(field.field.clone(), field.description.clone());
            }
        }
        v.finish()?;
        let seller = self.store.seller(seller_id).await?;
        require_full(who, &seller.row.seller_id, &seller.row.country_code)?;
        page
    }

    pub(super) async fn list_violations(
        &self,
        who: &Principal,
        req: pb::ListViolationsRequest,
    ) -> ServiceResult<pb::ListViolationsResponse> {
        let page = self
            .history_page(who, &req.seller_id, req.page_size, &req.page_token)
            .await?;
        let found = self.store.list_violations(&req.seller_id, &page).await?;
        Ok(pb::ListViolationsResponse {
            violations: found.items.iter().map(convert::violation).collect(),
            next_page_token: found.next_page_token,
        })
    }

    pub(super) async fn list_inspections(
        &self,
        who: &Principal,
        req: pb::ListInspectionsRequest,
    ) -> ServiceResult<pb::ListInspectionsResponse> {
        let page = self
            .history_page(who, &req.seller_id, req.page_size, &req.page_token)
            .await?;
        let found = self.store.list_inspections(&req.seller_id, &page).await?;
        Ok(pb::ListInspectionsResponse {
            inspections: found.items.iter().map(convert::inspection).collect(),
            next_page_token: found.next_page_token,
        })
    }
}
