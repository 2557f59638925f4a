//! The access table: which roles may call each RPC. Finer checks (the case's own seller or
//! notifiers, a regulator's jurisdiction, the notice source matching the role) are in the
//! handlers, see [`super::access`].

use genuine_contracts::genuine::enforcement::v1::enforcement_service_server::SERVICE_NAME;
use genuine_runtime::auth::{AccessPolicy, Allow, Role, ServiceName};

/// Who may file notices: every kind of notifier, the listing service (own-initiative detection)
/// and admins.
pub const SUBMIT: &[Role] = &[
    Role::RightsHolder,
    Role::Consumer,
    Role::TrustedFlagger,
    Role::Regulator,
    Role::Service(ServiceName::Listing),
    Role::Admin,
];
/// Who may read notices (notifiers their own, regulators their jurisdiction's).
pub const READ_NOTICES: &[Role] = &[
    Role::Admin,
    Role::Reviewer,
    Role::RightsHolder,
    Role::Consumer,
    Role::TrustedFlagger,
    Role::Regulator,
];
/// Who may read cases (parties their own, redacted; regulators their jurisdiction's).
pub const READ_CASES: &[Role] = &[
    Role::Admin,
    Role::Reviewer,
    Role::Regulator,
    Role::Seller,
    Role::RightsHolder,
    Role::Consumer,
    Role::TrustedFlagger,
];
/// Who decides cases and appeals.
pub const DECIDE: &[Role] = &[Role::Reviewer, Role::Admin];
/// The case's seller.
pub const COUNTER_NOTICE: &[Role] = &[Role::Seller];
/// The case's rights holder, or an admin on their behalf.
pub const LEGAL_ACTION: &[Role] = &[Role::RightsHolder, Role::Admin];
/// The affected seller or the notifier.
pub const APPEAL: &[Role] = &[
    Role::Seller,
    Role::RightsHolder,
    Role::Consumer,
    Role::TrustedFlagger,
    Role::Regulator,
];
/// Who may read statements of reasons (sellers their own).
pub const READ_STATEMENTS: &[Role] = &[Role::Admin, Role::Reviewer, Role::Regulator, Role::Seller];
/// Regulators' view of figures and the audit log.
pub const OVERSIGHT: &[Role] = &[Role::Admin, Role::Regulator];
/// The order system (a service) and admins.
pub const BUYERS: &[Role] = &[
    Role::Service(ServiceName::Listing),
    Role::Service(ServiceName::Reputation),
    Role::Service(ServiceName::Enforcement),
    Role::Service(ServiceName::Gateway),
    Role::Admin,
];

/// The access table of EnforcementService.
#[must_use]
pub fn access_policy() -> AccessPolicy {
    AccessPolicy::new().service(SERVICE_NAME, |s| {
        s.rpc("SubmitNotice", Allow::Roles(SUBMIT))
            .rpc("GetNotice", Allow::Roles(READ_NOTICES))
            .rpc("ListNotices", Allow::Roles(READ_NOTICES))
            .rpc("GetCase", Allow::Roles(READ_CASES))
            .rpc("ListCases", Allow::Roles(READ_CASES))
            .rpc("DecideCase", Allow::Roles(DECIDE))
            .rpc("SubmitCounterNotice", Allow::Roles(COUNTER_NOTICE))
            .rpc("ConfirmLegalAction", Allow::Roles(LEGAL_ACTION))
            .rpc("FileAppeal", Allow::Roles(APPEAL))
            .rpc("DecideAppeal", Allow::Roles(DECIDE))
            .rpc("GetStatementOfReasons", Allow::Roles(READ_STATEMENTS))
            .rpc("ListStatementsOfReasons", Allow::Roles(READ_STATEMENTS))
            .rpc("GetTransparencyReport", Allow::Roles(OVERSIGHT))
            .rpc("GetAuditLogHead", Allow::Roles(OVERSIGHT))
            .rpc("GetAuditProof", Allow::Roles(OVERSIGHT))
            .rpc("VerifyAuditLog", Allow::Roles(OVERSIGHT))
            .rpc("ListBuyerNotifications", Allow::Roles(BUYERS))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_of_the_contract_is_declared_and_nothing_else() {
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
    fn reviewers_decide_and_sellers_do_not() {
        use genuine_runtime::auth::Principal;
        let policy = access_policy();
        let path = format!("/{SERVICE_NAME}/DecideCase");
        assert!(
            policy
                .authorize(&path, &Principal::new("r", [Role::Reviewer]))
                .is_ok()
        );
        assert!(
            policy
                .authorize(&path, &Principal::new("s", [Role::Seller]))
                .is_err()
        );
        let submit = format!("/{SERVICE_NAME}/SubmitNotice");
        assert!(
            policy
                .authorize(
                    &submit,
                    &Principal::new("l", [Role::Service(ServiceName::Listing)])
                )
                .is_ok()
        );
        assert!(
            policy
                .authorize(&submit, &Principal::new("s", [Role::Seller]))
                .is_err()
        );
    }
}
