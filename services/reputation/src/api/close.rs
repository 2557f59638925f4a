//! CloseSeller: the relationship with a trader ends (the seller itself, or an admin); its
//! traceability data is then kept for the retention period and anonymised by a deadline.

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::access::{actor, visibility};
use super::policy::CLOSE;
use super::{ReputationApi, convert, validate};

impl ReputationApi {
    pub(super) async fn close_seller(
        &self,
        who: &Principal,
        req: pb::CloseSellerRequest,
    ) -> ServiceResult<pb::CloseSellerResponse> {
        let mut v = Violations::new();
        validate::id(&mut v, &req.seller_id, "seller_id");
        v.max_chars(&req.reason, 2000, "reason");
        v.finish()?;
        if !who.has_role(Role::Admin) && who.subject != req.seller_id {
            return Err(ServiceError::permission_denied(
                "a seller may close only its own account",
            ));
        }
        let view = self
            .store
            .close_seller(&req.seller_id, &actor(who, CLOSE))
            .await?;
        let visibility = visibility(who, &view.row.seller_id, &view.row.country_code)?;
        Ok(pb::CloseSellerResponse {
            seller: Some(convert::seller(&view, visibility, self.store.now())),
        })
    }
}
