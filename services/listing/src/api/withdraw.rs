//! WithdrawListing: the seller ends its own offer (or an admin does for it).

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::policy::LISTING_WRITERS;
use super::validate;
use super::{ListingApi, actor, convert};
use crate::store;

/// Longest reason, in characters.
const MAX_REASON_CHARS: usize = 2000;

impl ListingApi {
    pub(super) async fn withdraw(
        &self,
        who: &Principal,
        r: pb::WithdrawListingRequest,
    ) -> ServiceResult<pb::WithdrawListingResponse> {
        let mut v = Violations::new();
        validate::short_required(&mut v, &r.listing_id, "listing_id");
        v.max_chars(&r.reason, MAX_REASON_CHARS, "reason");
        v.finish()?;
        let current = store::get_listing(&self.db, &r.listing_id).await?;
        if !who.has_role(Role::Admin) && current.seller_id != who.subject {
            return Err(ServiceError::permission_denied(
                "sellers may withdraw their own listings only",
            ));
        }
        let reason = if r.reason.is_empty() {
            "withdrawn by the seller"
        } else {
            r.reason.as_str()
        };
        let view = store::withdraw_listing(
            &self.db,
            &r.listing_id,
            reason,
            &actor(who, LISTING_WRITERS),
            self.now(),
        )
        .await?;
        Ok(pb::WithdrawListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }
}
