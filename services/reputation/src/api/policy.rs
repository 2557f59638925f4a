//! The access table of SellerReputationService: which roles may call each RPC (issue #4). Finer
//! checks (ownership, jurisdiction, what of a seller is shown) are in [`super::access`].

use genuine_contracts::genuine::reputation::v1::seller_reputation_service_server::SERVICE_NAME;
use genuine_runtime::auth::{AccessPolicy, Allow, Role, ServiceName};

/// Staff and the parties whose data it is.
const READERS: &[Role] = &[Role::Admin, Role::Reviewer, Role::Regulator, Role::Seller];
/// Who records and retracts violations: enforcement decides cases; admins correct records.
const VIOLATION_WRITERS: &[Role] = &[Role::Service(ServiceName::Enforcement), Role::Admin];

/// Roles allowed to register a seller.
pub const REGISTER: &[Role] = &[Role::Admin, Role::Seller];
/// Roles allowed to verify a seller.
pub const VERIFY: &[Role] = &[Role::Admin];
/// Roles allowed to record inspections.
pub const INSPECT: &[Role] = &[Role::Regulator, Role::Admin];
/// Roles allowed to suspend and reinstate.
pub const SUSPEND: &[Role] = &[Role::Admin, Role::Reviewer];
/// Roles allowed to close a seller (a seller only itself: checked in the handler).
pub const CLOSE: &[Role] = &[Role::Admin, Role::Seller];
/// Roles allowed to record and retract violations.
pub const RECORD_VIOLATION: &[Role] = VIOLATION_WRITERS;

/// The one access table of this service.
#[must_use]
pub fn access_policy() -> AccessPolicy {
    AccessPolicy::new().service(SERVICE_NAME, |s| {
        s.rpc("RegisterSeller", Allow::Roles(REGISTER))
            .rpc("VerifySeller", Allow::Roles(VERIFY))
            // Any caller gets the public part; traceability data is filtered in the handler.
            .rpc("GetSeller", Allow::AnyAuthenticated)
            .rpc("ListSellers", Allow::Roles(READERS))
            .rpc("GetSellerStanding", Allow::AnyAuthenticated)
            .rpc("BatchGetSellerStandings", Allow::AnyAuthenticated)
            .rpc("RecordViolation", Allow::Roles(VIOLATION_WRITERS))
            .rpc("RetractViolation", Allow::Roles(VIOLATION_WRITERS))
            .rpc("RecordInspection", Allow::Roles(INSPECT))
            .rpc("ListViolations", Allow::Roles(READERS))
            .rpc("ListInspections", Allow::Roles(READERS))
            .rpc("SuspendSeller", Allow::Roles(SUSPEND))
            .rpc("ReinstateSeller", Allow::Roles(SUSPEND))
            .rpc("CloseSeller", Allow::Roles(CLOSE))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use genuine_runtime::auth::Principal;

    #[test]
    fn every_rpc_of_the_contract_is_declared() {
        let policy = access_policy();
        assert!(
            policy
                .undeclared_methods(genuine_contracts::FILE_DESCRIPTOR_SET)
                .is_empty()
        );
        assert!(
            policy
                .unknown_methods(genuine_contracts::FILE_DESCRIPTOR_SET)
                .is_empty()
        );
    }

    #[test]
    fn roles_match_the_issue_table() {
        let policy = access_policy();
        let path = |m: &str| format!("/{SERVICE_NAME}/{m}");
        let enforcement = Principal::new("enforcement", [Role::Service(ServiceName::Enforcement)]);
        let listing = Principal::new("listing", [Role::Service(ServiceName::Listing)]);
        let seller = Principal::new("s-1", [Role::Seller]);
        let reviewer = Principal::new("r", [Role::Reviewer]);
        let regulator = Principal::new("g", [Role::Regulator]);
        let cases = [
            ("RecordViolation", &enforcement, true),
            ("RecordViolation", &seller, false),
            ("RetractViolation", &reviewer, false),
            ("GetSellerStanding", &listing, true),
            ("BatchGetSellerStandings", &listing, true),
            ("RegisterSeller", &seller, true),
            ("RegisterSeller", &reviewer, false),
            ("VerifySeller", &reviewer, false),
            ("SuspendSeller", &reviewer, true),
            ("SuspendSeller", &seller, false),
            ("RecordInspection", &regulator, true),
            ("RecordInspection", &seller, false),
            ("ListViolations", &listing, false),
            ("ListSellers", &regulator, true),
        ];
        for (method, principal, allowed) in cases {
            let got = policy.authorize(&path(method), principal).is_ok();
            assert_eq!(got, allowed, "{method} by {:?}", principal.roles);
        }
    }
}
