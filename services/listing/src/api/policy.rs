//! The access table of ListingService: who may call each RPC. Finer checks (a seller's own
//! listings, a brand's owner) are in the handlers.

use genuine_contracts::genuine::listing::v1::listing_service_server::SERVICE_NAME;
use genuine_runtime::auth::{AccessPolicy, Allow, Role, ServiceName};

pub(super) const BRAND_REGISTRARS: &[Role] = &[Role::Admin, Role::RightsHolder];
pub(super) const BRAND_MANAGERS: &[Role] = &[Role::Admin, Role::RightsHolder];
pub(super) const IMAGE_REPORTERS: &[Role] = &[Role::Admin, Role::RightsHolder, Role::Regulator];
pub(super) const TERM_EDITORS: &[Role] = &[Role::Admin];
pub(super) const LISTING_WRITERS: &[Role] = &[Role::Seller, Role::Admin];
pub(super) const SCREENERS: &[Role] = &[Role::Seller, Role::Admin, Role::Reviewer];
pub(super) const BULK_SCREENERS: &[Role] = &[
    Role::Admin,
    Role::Service(ServiceName::Listing),
    Role::Service(ServiceName::Reputation),
    Role::Service(ServiceName::Enforcement),
    Role::Service(ServiceName::Gateway),
];
pub(super) const CASE_ACTORS: &[Role] = &[Role::Service(ServiceName::Enforcement), Role::Admin];
pub(super) const SUSPENDERS: &[Role] = &[Role::Service(ServiceName::Reputation), Role::Admin];

/// Who may call each RPC of `genuine.listing.v1.ListingService`.
#[must_use]
pub fn access_policy() -> AccessPolicy {
    AccessPolicy::new().service(SERVICE_NAME, |s| {
        s.rpc("RegisterBrand", Allow::Roles(BRAND_REGISTRARS))
            .rpc("GetBrand", Allow::AnyAuthenticated)
            .rpc("ListBrands", Allow::AnyAuthenticated)
            .rpc("AuthorizeSeller", Allow::Roles(BRAND_MANAGERS))
            .rpc("RevokeSellerAuthorization", Allow::Roles(BRAND_MANAGERS))
            .rpc("AddCounterfeitImages", Allow::Roles(IMAGE_REPORTERS))
            .rpc("AddProhibitedTerms", Allow::Roles(TERM_EDITORS))
            .rpc("ListProhibitedTerms", Allow::Roles(TERM_EDITORS))
            .rpc("CreateListing", Allow::Roles(LISTING_WRITERS))
            .rpc("UpdateListing", Allow::Roles(LISTING_WRITERS))
            // Sellers see other sellers' listings only when active: filtered in the handler.
            .rpc("GetListing", Allow::AnyAuthenticated)
            .rpc("ListListings", Allow::AnyAuthenticated)
            .rpc("ScreenListing", Allow::Roles(SCREENERS))
            .rpc("ScreenListings", Allow::Roles(BULK_SCREENERS))
            .rpc("TakeDownListing", Allow::Roles(CASE_ACTORS))
            .rpc("RestoreListing", Allow::Roles(CASE_ACTORS))
            // Only the listing's own seller: checked in the handler.
            .rpc("WithdrawListing", Allow::Roles(LISTING_WRITERS))
            .rpc("SuspendSellerListings", Allow::Roles(SUSPENDERS))
            .rpc("ReinstateSellerListings", Allow::Roles(SUSPENDERS))
    })
}

#[cfg(test)]
mod tests {
    use genuine_runtime::auth::Principal;

    use super::*;

    #[test]
    fn every_rpc_of_the_contract_is_declared() {
        let undeclared = access_policy().undeclared_methods(genuine_contracts::FILE_DESCRIPTOR_SET);
        assert!(undeclared.is_empty(), "{undeclared:?}");
    }

    #[test]
    fn table_of_callers() {
        let policy = access_policy();
        let path = |m: &str| format!("/{SERVICE_NAME}/{m}");
        let enforcement = Principal::new("enforcement", [Role::Service(ServiceName::Enforcement)]);
        let reputation = Principal::new("reputation", [Role::Service(ServiceName::Reputation)]);
        let seller = Principal::new("s1", [Role::Seller]);
        let consumer = Principal::new("c1", [Role::Consumer]);
        let cases = [
            ("TakeDownListing", &enforcement, true),
            ("TakeDownListing", &reputation, false),
            ("TakeDownListing", &seller, false),
            ("SuspendSellerListings", &reputation, true),
            ("SuspendSellerListings", &enforcement, false),
            ("CreateListing", &seller, true),
            ("CreateListing", &consumer, false),
            ("GetListing", &consumer, true),
            ("ScreenListings", &enforcement, true),
            ("ScreenListings", &seller, false),
            ("AddProhibitedTerms", &seller, false),
            ("RegisterBrand", &seller, false),
            ("WithdrawListing", &seller, true),
            ("WithdrawListing", &enforcement, false),
            ("WithdrawListing", &consumer, false),
        ];
        for (method, who, allowed) in cases {
            assert_eq!(
                policy.authorize(&path(method), who).is_ok(),
                allowed,
                "{method} by {:?}",
                who.roles
            );
        }
    }
}
