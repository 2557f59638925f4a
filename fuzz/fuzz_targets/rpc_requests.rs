//! Every RPC's request message: protobuf decoding of untrusted bytes (the first byte picks the
//! RPC), re-encoding, and the request checks the services expose outside their handlers (notice
//! completeness, money, timestamps, enum mappings, action ids). Properties: no panic; a decoded
//! message re-encodes to bytes that decode to the same message; a refused notice names fields.
#![no_main]

use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_enforcement::api::convert as enforcement_convert;
use genuine_enforcement::domain::notice::{NoticeDraft, check_complete};
use genuine_listing::domain::actions::Action;
use genuine_listing::domain::money::Money;
use genuine_reputation::api::convert as reputation_convert;
use genuine_runtime::errors::Violations;
use libfuzzer_sys::fuzz_target;
use prost::Message;

/// Decodes `bytes` as `T`; when it decodes, the round trip must be stable.
fn decode<T: Message + Default + PartialEq>(bytes: &[u8]) -> Option<T> {
    let message = T::decode(bytes).ok()?;
    let again = T::decode(message.encode_to_vec().as_slice()).expect("re-encoded bytes decode");
    assert!(again == message, "round trip changed the message");
    Some(message)
}

macro_rules! rpcs {
    ($($ty:ty $(=> $check:ident)?,)*) => {
        const RPC_COUNT: u8 = [$(stringify!($ty)),*].len() as u8;
        fn run(selector: u8, bytes: &[u8]) {
            let mut index = 0;
            $(
                if selector % RPC_COUNT == index {
                    if let Some(_message) = decode::<$ty>(bytes) {
                        $($check(&_message);)?
                    }
                    return;
                }
                index += 1;
            )*
            let _ = index;
        }
    };
}

rpcs! {
        enforcement::SubmitNoticeRequest => check_submit_notice,
        enforcement::GetNoticeRequest,
        enforcement::ListNoticesRequest,
        enforcement::GetCaseRequest,
        enforcement::ListCasesRequest => check_list_cases,
        enforcement::DecideCaseRequest => check_decide_case,
        enforcement::SubmitCounterNoticeRequest,
        enforcement::ConfirmLegalActionRequest,
        enforcement::FileAppealRequest,
        enforcement::DecideAppealRequest => check_decide_appeal,
        enforcement::GetStatementOfReasonsRequest,
        enforcement::ListStatementsOfReasonsRequest,
        enforcement::GetTransparencyReportRequest,
        enforcement::GetAuditLogHeadRequest,
        enforcement::GetAuditProofRequest,
        enforcement::VerifyAuditLogRequest,
        enforcement::ListBuyerNotificationsRequest,
        listing::RegisterBrandRequest => check_register_brand,
        listing::GetBrandRequest,
        listing::ListBrandsRequest,
        listing::AuthorizeSellerRequest,
        listing::RevokeSellerAuthorizationRequest,
        listing::AddCounterfeitImagesRequest,
        listing::AddProhibitedTermsRequest,
        listing::ListProhibitedTermsRequest,
        listing::CreateListingRequest => check_create_listing,
        listing::UpdateListingRequest => check_update_listing,
        listing::GetListingRequest,
        listing::ListListingsRequest,
        listing::ScreenListingRequest,
        listing::ScreenListingsRequest,
        listing::TakeDownListingRequest => check_take_down_listing,
        listing::RestoreListingRequest => check_restore_listing,
        listing::WithdrawListingRequest,
        listing::SuspendSellerListingsRequest,
        listing::ReinstateSellerListingsRequest,
        reputation::RegisterSellerRequest,
        reputation::VerifySellerRequest,
        reputation::GetSellerRequest,
        reputation::ListSellersRequest,
        reputation::GetSellerStandingRequest,
        reputation::BatchGetSellerStandingsRequest,
        reputation::RecordViolationRequest => check_record_violation,
        reputation::RetractViolationRequest,
        reputation::RecordInspectionRequest => check_record_inspection,
        reputation::ListViolationsRequest,
        reputation::ListInspectionsRequest,
        reputation::SuspendSellerRequest,
        reputation::ReinstateSellerRequest,
        reputation::CloseSellerRequest,
}

fn money(m: Option<&genuine_contracts::genuine::common::v1::Money>) {
    if let Some(m) = m
        && let Err(problems) = Money::parse(&m.currency_code, m.units, m.nanos)
    {
        assert!(problems.iter().all(|p| !p.field.is_empty()));
    }
}

fn timestamp(t: Option<&prost_types::Timestamp>) {
    if let Some(t) = t {
        let _ = enforcement_convert::millis(t);
        let mut v = Violations::new();
        if reputation_convert::time_of(t, "time", &mut v).is_none() {
            assert!(!v.is_empty());
        }
    }
}

fn check_submit_notice(request: &enforcement::SubmitNoticeRequest) {
    // As the enforcement handler builds its draft from the request.
    let notifier = request.notifier.clone().unwrap_or_default();
    let draft = NoticeDraft {
        request_id: request.request_id.clone(),
        source: enforcement_convert::source(request.source),
        ground: enforcement_convert::ground(request.ground),
        notifier_id: notifier.notifier_id,
        notifier_name: notifier.name,
        notifier_email: notifier.email,
        notifier_organization: notifier.organization,
        listing_ids: request.listing_ids.clone(),
        explanation: request.explanation.clone(),
        evidence_urls: request.evidence_urls.clone(),
        good_faith_declaration: request.good_faith_declaration,
        jurisdiction: request.jurisdiction.to_ascii_uppercase(),
        has_automated_detection: request.automated_detection.is_some(),
    };
    if let Err(error) = check_complete(&draft) {
        assert!(!error.field_violations().is_empty(), "{error:?}");
        assert!(error.field_violations().iter().all(|v| !v.field.is_empty()));
    }
}

fn check_decide_case(request: &enforcement::DecideCaseRequest) {
    let _ = enforcement_convert::case_outcome(request.outcome);
    let _ = enforcement_convert::severity(request.severity);
}

fn check_decide_appeal(request: &enforcement::DecideAppealRequest) {
    let _ = enforcement_convert::appeal_outcome(request.outcome);
}

fn check_list_cases(request: &enforcement::ListCasesRequest) {
    let _ = enforcement_convert::status(request.status);
}

fn check_create_listing(request: &listing::CreateListingRequest) {
    money(request.price.as_ref());
}

fn check_update_listing(request: &listing::UpdateListingRequest) {
    money(request.price.as_ref());
}

fn check_register_brand(request: &listing::RegisterBrandRequest) {
    for reference in &request.reference_prices {
        money(reference.price.as_ref());
    }
}

fn check_take_down_listing(request: &listing::TakeDownListingRequest) {
    if let Some(action) = Action::parse(&request.action_id) {
        assert_eq!(action.id, request.action_id);
    }
}

fn check_restore_listing(request: &listing::RestoreListingRequest) {
    if let Some(action) = Action::parse(&request.action_id) {
        assert_eq!(action.id, request.action_id);
    }
}

fn check_record_violation(request: &reputation::RecordViolationRequest) {
    timestamp(request.decided_time.as_ref());
    let _ = reputation_convert::severity_of(request.severity);
    let _ = reputation_convert::ground_of(request.ground);
}

fn check_record_inspection(request: &reputation::RecordInspectionRequest) {
    timestamp(request.inspected_time.as_ref());
}

fuzz_target!(|input: &[u8]| {
    if let Some((&selector, bytes)) = input.split_first() {
        run(selector, bytes);
    }
});
