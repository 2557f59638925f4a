//! Suspension RPCs (a person's decision; strike suspensions happen in RecordViolation).

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::auth::Principal;
use genuine_runtime::errors::{ServiceResult, Violations};

use super::access::actor;
use super::policy::SUSPEND;
use super::{ReputationApi, convert, validate};

impl ReputationApi {
    pub(super) async fn suspend_seller(
        &self,
        who: &Principal,
        req: pb::SuspendSellerRequest,
    ) -> ServiceResult<pb::SuspendSellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        validate::text(&mut v, &req.reason, "reason");
        let until = req
            .until
            .as_ref()
            .and_then(|ts| convert::time_of(ts, "until", &mut v));
        v.finish()?;
        let standing = self
            .store
            .suspend(
                &req.seller_id,
                req.reason.trim(),
                until,
                &actor(who, SUSPEND),
            )
            .await?;
        Ok(pb::SuspendSellerResponse {
            standing: Some(convert::standing(
                &req.seller_id,
                &standing,
                self.store.now(),
            )),
        })
    }

    pub(super) async fn reinstate_seller(
        &self,
        req: pb::ReinstateSellerRequest,
    ) -> ServiceResult<pb::ReinstateSellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        validate::text(&mut v, &req.reason, "reason");
        v.finish()?;
        let standing = self
            .store
            .reinstate(&req.seller_id, req.reason.trim())
            .await?;
        Ok(pb::ReinstateSellerResponse {
            standing: Some(convert::standing(
                &req.seller_id,
                &standing,
                self.store.now(),
            )),
        })
    }
}
