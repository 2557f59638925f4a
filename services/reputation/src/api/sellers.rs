//! Seller RPCs: register, verify, read, list, standing.

use std::collections::HashSet;

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::access::{Visibility, actor, restrict, visibility};
use super::policy::{REGISTER, VERIFY};
use super::{ReputationApi, convert, validate};
use crate::domain::VerificationStatus;
use crate::store::{NewSeller, PageRequest, SellerFilter};

/// Most ids in one BatchGetSellerStandings.
const MAX_BATCH: usize = 1_000;

impl ReputationApi {
    pub(super) async fn register_seller(
        &self,
        who: &Principal,
        req: pb::RegisterSellerRequest,
    ) -> ServiceResult<pb::RegisterSellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.request_id, "request_id");
        let seller_id = if who.has_role(Role::Admin) {
            let given = req.seller_id.trim();
            if !given.is_empty() {
                v.max_chars(given, validate::MAX_ID, "seller_id");
                v.check(
                    validate::is_plain_id(given),
                    "seller_id",
                    "must be printable ASCII without spaces",
                );
            }
            (!given.is_empty()).then(|| given.to_owned())
        } else {
            // A seller registers itself: its token subject is its seller id.
            if !req.seller_id.is_empty() && req.seller_id != who.subject {
                return Err(ServiceError::permission_denied(
                    "a seller registers only itself: leave seller_id empty or set it to your own id",
                ));
            }
            Some(who.subject.clone())
        };
        let registration = convert::registration(&req).normalized();
        registration.check(&mut v);
        v.finish()?;
        let new = NewSeller {
            request_id: req.request_id,
            seller_id,
            registration,
        };
        let view = self.store.register(new, &actor(who, REGISTER)).await?;
        Ok(pb::RegisterSellerResponse {
            seller: Some(convert::seller(&view, Visibility::Full, self.store.now())),
        })
    }

    pub(super) async fn verify_seller(
        &self,
        who: &Principal,
        req: pb::VerifySellerRequest,
    ) -> ServiceResult<pb::VerifySellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        let outcome = match pb::VerificationOutcome::try_from(req.outcome) {
            Ok(pb::VerificationOutcome::Verified) => Some(VerificationStatus::Verified),
            Ok(pb::VerificationOutcome::Rejected) => Some(VerificationStatus::Rejected),
            _ => {
                v.add("outcome", "must be VERIFIED or REJECTED");
                None
            }
        };
        v.max_chars(&req.note, validate::MAX_TEXT, "note");
        v.finish()?;
        let outcome = outcome.ok_or_else(|| {
            ServiceError::invalid_field("outcome", "must be VERIFIED or REJECTED")
        })?;
        let view = self
            .store
            .verify(
                &req.seller_id,
                outcome,
                req.note.trim(),
                &actor(who, VERIFY),
            )
            .await?;
        Ok(pb::VerifySellerResponse {
            seller: Some(convert::seller(&view, Visibility::Full, self.store.now())),
        })
    }

    pub(super) async fn get_seller(
        &self,
        who: &Principal,
        req: pb::GetSellerRequest,
    ) -> ServiceResult<pb::GetSellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        v.finish()?;
        let view = self.store.seller(&req.seller_id).await?;
        let visibility = visibility(who, &view.row.seller_id, &view.row.country_code)?;
        Ok(pb::GetSellerResponse {
            seller: Some(convert::seller(&view, visibility, self.store.now())),
        })
    }

    pub(super) async fn list_sellers(
        &self,
        who: &Principal,
        req: pb::ListSellersRequest,
    ) -> ServiceResult<pb::ListSellersResponse> {
        let mut v = Violations::new();
        let tier = pb::SellerTier::try_from(req.tier).ok();
        v.check(tier.is_some(), "tier", "is not a known tier");
        let status = pb::VerificationStatus::try_from(req.verification_status).ok();
        v.check(
            status.is_some(),
            "verification_status",
            "is not a known status",
        );
        let page = PageRequest::parse(req.page_size, &req.page_token);
        if let Err(error) = &page {
            for field in error.field_violations() {
                v.add(field.field.clone(), field.description.clone());
            }
        }
        v.finish()?;
        let page = page?;
        let mut filter = SellerFilter {
            tier: tier.and_then(convert::tier_filter),
            verification: status.and_then(convert::verification_filter),
            ..SellerFilter::default()
        };
        restrict(who, &mut filter)?;
        let found = self.store.list_sellers(&filter, &page).await?;
        let now = self.store.now();
        Ok(pb::ListSellersResponse {
            // The filter keeps callers to sellers they may read in full.
            sellers: found
                .items
                .iter()
                .map(|view| convert::seller(view, Visibility::Full, now))
                .collect(),
            next_page_token: found.next_page_token,
        })
    }

    pub(super) async fn get_seller_standing(
        &self,
        req: pb::GetSellerStandingRequest,
    ) -> ServiceResult<pb::GetSellerStandingResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        v.finish()?;
        let standing = self.store.standing(&req.seller_id).await?;
        Ok(pb::GetSellerStandingResponse {
            standing: Some(convert::standing(
                &req.seller_id,
                &standing,
                self.store.now(),
            )),
        })
    }

    pub(super) async fn batch_get_seller_standings(
        &self,
        req: pb::BatchGetSellerStandingsRequest,
    ) -> ServiceResult<pb::BatchGetSellerStandingsResponse> {
        let mut v = Violations::new();
        v.check(!req.seller_ids.is_empty(), "seller_ids", "is required");
        v.check(
            req.seller_ids.len() <= MAX_BATCH,
            "seller_ids",
            format!("must name at most {MAX_BATCH} sellers"),
        );
        for (i, id) in req.seller_ids.iter().enumerate().take(MAX_BATCH) {
            validate::id(&mut v, id, &format!("seller_ids[{i}]"));
        }
        v.finish()?;
        let found = self.store.standings(&req.seller_ids).await?;
        let now = self.store.now();
        let known: HashSet<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        let mut missing_seen = HashSet::new();
        let missing_seller_ids = req
            .seller_ids
            .iter()
            .filter(|id| !known.contains(id.as_str()) && missing_seen.insert(id.as_str()))
            .cloned()
            .collect();
        Ok(pb::BatchGetSellerStandingsResponse {
            standings: found
                .iter()
                .map(|(id, s)| convert::standing(id, s, now))
                .collect(),
            missing_seller_ids,
        })
    }
}
