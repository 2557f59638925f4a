//! TakeDownListing, RestoreListing, SuspendSellerListings, ReinstateSellerListings: measures
//! from enforcement and seller-reputation, idempotent on their keys.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::Principal;
use genuine_runtime::errors::{ServiceResult, Violations};

use super::policy::{CASE_ACTORS, SUSPENDERS};
use super::validate;
use super::{ListingApi, actor, convert};
use crate::store;

/// Longest reason, in characters.
const MAX_REASON_CHARS: usize = 2000;

fn keyed(first: (&str, &str), second: (&str, &str), reason: Option<&str>) -> ServiceResult<()> {
    let mut v = Violations::new();
    validate::short_required(&mut v, first.1, first.0);
    validate::short_required(&mut v, second.1, second.0);
    if let Some(reason) = reason {
        v.max_chars(reason, MAX_REASON_CHARS, "reason");
    }
    v.finish()
}

/// Longest action id, in characters.
const MAX_ACTION_ID_CHARS: usize = 500;

/// An action id is optional but bounded: it is stored with the measure.
fn validate_action(action_id: &str) -> ServiceResult<()> {
    let mut v = Violations::new();
    v.max_chars(action_id, MAX_ACTION_ID_CHARS, "action_id");
    v.finish()
}

impl ListingApi {
    pub(super) async fn take_down(
        &self,
        who: &Principal,
        r: pb::TakeDownListingRequest,
    ) -> ServiceResult<pb::TakeDownListingResponse> {
        keyed(
            ("listing_id", &r.listing_id),
            ("case_id", &r.case_id),
            Some(&r.reason),
        )?;
        validate_action(&r.action_id)?;
        let view = store::take_down_listing(
            &self.db,
            &r.listing_id,
            &r.case_id,
            &r.action_id,
            &r.reason,
            &actor(who, CASE_ACTORS),
            self.now(),
        )
        .await?;
        Ok(pb::TakeDownListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }

    pub(super) async fn restore(
        &self,
        who: &Principal,
        r: pb::RestoreListingRequest,
    ) -> ServiceResult<pb::RestoreListingResponse> {
        keyed(("listing_id", &r.listing_id), ("case_id", &r.case_id), None)?;
        validate_action(&r.action_id)?;
        let view = store::restore_listing(
            &self.db,
            &r.listing_id,
            &r.case_id,
            &r.action_id,
            &actor(who, CASE_ACTORS),
            self.now(),
        )
        .await?;
        Ok(pb::RestoreListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }

    pub(super) async fn suspend(
        &self,
        who: &Principal,
        r: pb::SuspendSellerListingsRequest,
    ) -> ServiceResult<pb::SuspendSellerListingsResponse> {
        keyed(
            ("seller_id", &r.seller_id),
            ("suspension_id", &r.suspension_id),
            Some(&r.reason),
        )?;
        let affected_count = store::suspend_seller(
            &self.db,
            &r.seller_id,
            &r.suspension_id,
            &r.reason,
            &actor(who, SUSPENDERS),
            self.now(),
        )
        .await?;
        Ok(pb::SuspendSellerListingsResponse { affected_count })
    }

    pub(super) async fn reinstate(
        &self,
        r: pb::ReinstateSellerListingsRequest,
    ) -> ServiceResult<pb::ReinstateSellerListingsResponse> {
        keyed(
            ("seller_id", &r.seller_id),
            ("suspension_id", &r.suspension_id),
            None,
        )?;
        let affected_count =
            store::reinstate_seller(&self.db, &r.seller_id, &r.suspension_id, self.now()).await?;
        Ok(pb::ReinstateSellerListingsResponse { affected_count })
    }
}
