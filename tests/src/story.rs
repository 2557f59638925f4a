//! The moves of the story, as the real parties make them through the public gRPC APIs: sellers
//! register and list, rights holders register brands and file notices, reviewers decide. Each
//! helper uses the token of the party that would really make the call.

use std::time::Duration;

use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_runtime::auth::Role;
use tonic::transport::Channel;

use crate::{Service, Suite, authed, eventually};

/// How long asynchronous effects (outbox deliveries, deadlines) may take in tests.
pub const EFFECT_TIMEOUT: Duration = Duration::from_secs(20);

pub type ListingClient = listing::listing_service_client::ListingServiceClient<Channel>;
pub type ReputationClient =
    reputation::seller_reputation_service_client::SellerReputationServiceClient<Channel>;
pub type EnforcementClient =
    enforcement::enforcement_service_client::EnforcementServiceClient<Channel>;

impl Suite {
    pub fn listing_client(&self) -> ListingClient {
        ListingClient::new(self.channel(Service::Listing))
    }

    pub fn reputation_client(&self) -> ReputationClient {
        ReputationClient::new(self.channel(Service::Reputation))
    }

    pub fn enforcement_client(&self) -> EnforcementClient {
        EnforcementClient::new(self.channel(Service::Enforcement))
    }

    fn admin(&self) -> String {
        self.token(Role::Admin, "admin")
    }
}

/// Euros as `Money`.
pub fn eur(units: i64) -> Money {
    Money {
        currency_code: "EUR".to_owned(),
        units,
        nanos: 0,
    }
}

/// A seller registers itself with complete traceability data; an admin verifies it.
pub async fn register_verified_seller(suite: &Suite, seller_id: &str, country: &str) {
    register_seller(suite, seller_id, country).await;
    suite
        .reputation_client()
        .verify_seller(authed(
            reputation::VerifySellerRequest {
                seller_id: seller_id.to_owned(),
                outcome: reputation::VerificationOutcome::Verified as i32,
                note: "documents checked".to_owned(),
            },
            &suite.admin(),
        ))
        .await
        .expect("verify seller");
}

/// A seller registers itself (unverified).
pub async fn register_seller(suite: &Suite, seller_id: &str, country: &str) {
    let token = suite.token(Role::Seller, seller_id);
    suite
        .reputation_client()
        .register_seller(authed(
            reputation::RegisterSellerRequest {
                request_id: format!("register-{seller_id}"),
                seller_id: seller_id.to_owned(),
                legal_name: format!("{seller_id} Trading GmbH"),
                display_name: format!("{seller_id} shop"),
                email: format!("{seller_id}@example.com"),
                phone: "+4930123456".to_owned(),
                address: Some(reputation::Address {
                    lines: vec!["Hauptstrasse 1".to_owned()],
                    city: "Berlin".to_owned(),
                    region: "Berlin".to_owned(),
                    postal_code: "10115".to_owned(),
                    country_code: country.to_owned(),
                }),
                trade_register_name: "Amtsgericht Berlin".to_owned(),
                trade_register_number: format!("HRB {}", seller_id.len() * 1000),
                id_document_ref: "passport-ref".to_owned(),
                payment_account_ref: "iban-ref".to_owned(),
                self_certified: true,
            },
            &token,
        ))
        .await
        .expect("register seller");
}

/// A rights holder registers its brand with a reference price for handbags.
pub async fn register_brand(
    suite: &Suite,
    owner: &str,
    name: &str,
    aliases: &[&str],
    reference_eur: i64,
) -> String {
    let token = suite.token(Role::RightsHolder, owner);
    let reply = suite
        .listing_client()
        .register_brand(authed(
            listing::RegisterBrandRequest {
                request_id: format!("brand-{name}"),
                display_name: name.to_owned(),
                aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
                owner_id: owner.to_owned(),
                reference_prices: vec![listing::ReferencePrice {
                    category: "handbags".to_owned(),
                    price: Some(eur(reference_eur)),
                }],
            },
            &token,
        ))
        .await
        .expect("register brand");
    reply.into_inner().brand.expect("brand").brand_id
}

/// A seller creates a handbag listing.
pub async fn create_listing(
    suite: &Suite,
    seller_id: &str,
    title: &str,
    price_eur: i64,
) -> listing::Listing {
    create_listing_with_images(suite, seller_id, title, price_eur, Vec::new()).await
}

/// A seller creates a handbag listing with images.
pub async fn create_listing_with_images(
    suite: &Suite,
    seller_id: &str,
    title: &str,
    price_eur: i64,
    images: Vec<listing::ImageInput>,
) -> listing::Listing {
    let token = suite.token(Role::Seller, seller_id);
    suite
        .listing_client()
        .create_listing(authed(
            listing::CreateListingRequest {
                request_id: format!("{seller_id}-{title}"),
                seller_id: seller_id.to_owned(),
                title: title.to_owned(),
                description: "A handbag in good condition.".to_owned(),
                category: "handbags".to_owned(),
                price: Some(eur(price_eur)),
                images,
            },
            &token,
        ))
        .await
        .expect("create listing")
        .into_inner()
        .listing
        .expect("listing")
}

/// The listing as an admin sees it.
pub async fn get_listing(suite: &Suite, listing_id: &str) -> listing::Listing {
    suite
        .listing_client()
        .get_listing(authed(
            listing::GetListingRequest {
                listing_id: listing_id.to_owned(),
            },
            &suite.admin(),
        ))
        .await
        .expect("get listing")
        .into_inner()
        .listing
        .expect("listing")
}

/// Waits until the listing reaches `status` (effects arrive through the outbox).
pub async fn wait_listing_status(
    suite: &Suite,
    listing_id: &str,
    status: listing::ListingStatus,
) -> listing::Listing {
    eventually(
        &format!("listing {listing_id} becomes {status:?}"),
        EFFECT_TIMEOUT,
        || async {
            let current = get_listing(suite, listing_id).await;
            (current.status == status as i32).then_some(current)
        },
    )
    .await
}

/// A rights holder's complete notice against `listing_ids`.
pub async fn rights_holder_notice(
    suite: &Suite,
    owner: &str,
    listing_ids: &[&str],
    request_id: &str,
) -> enforcement::Notice {
    let token = suite.token(Role::RightsHolder, owner);
    submit_notice(
        suite,
        &token,
        rights_holder_notice_request(owner, listing_ids, request_id),
    )
    .await
}

/// The request of [`rights_holder_notice`], for tests that expect it to be refused.
pub fn rights_holder_notice_request(
    owner: &str,
    listing_ids: &[&str],
    request_id: &str,
) -> enforcement::SubmitNoticeRequest {
    enforcement::SubmitNoticeRequest {
        request_id: request_id.to_owned(),
        source: enforcement::NoticeSource::RightsHolder as i32,
        notifier: Some(enforcement::Notifier {
            notifier_id: owner.to_owned(),
            name: "Luxe Paris legal team".to_owned(),
            email: "legal@luxe-paris.example".to_owned(),
            organization: "Luxe Paris SA".to_owned(),
        }),
        ground: enforcement::NoticeGround::TrademarkInfringement as i32,
        listing_ids: listing_ids.iter().map(|l| (*l).to_owned()).collect(),
        brand_id: None,
        explanation: "The bag carries our registered trademark; we never made it.".to_owned(),
        evidence_urls: vec!["https://luxe-paris.example/evidence/1".to_owned()],
        good_faith_declaration: true,
        jurisdiction: "DE".to_owned(),
        automated_detection: None,
    }
}

/// Submits `request` with `token`.
pub async fn submit_notice(
    suite: &Suite,
    token: &str,
    request: enforcement::SubmitNoticeRequest,
) -> enforcement::Notice {
    suite
        .enforcement_client()
        .submit_notice(authed(request, token))
        .await
        .expect("submit notice")
        .into_inner()
        .notice
        .expect("notice")
}

/// A reviewer decides a case.
pub async fn decide(
    suite: &Suite,
    reviewer: &str,
    case_id: &str,
    outcome: enforcement::CaseOutcome,
) -> enforcement::Case {
    let token = suite.token(Role::Reviewer, reviewer);
    suite
        .enforcement_client()
        .decide_case(authed(
            enforcement::DecideCaseRequest {
                case_id: case_id.to_owned(),
                outcome: outcome as i32,
                explanation: "Checked the listing against the brand's evidence.".to_owned(),
                severity: enforcement::Severity::Medium as i32,
            },
            &token,
        ))
        .await
        .expect("decide case")
        .into_inner()
        .case
        .expect("case")
}

/// The case as an admin sees it.
pub async fn get_case(suite: &Suite, case_id: &str) -> enforcement::Case {
    suite
        .enforcement_client()
        .get_case(authed(
            enforcement::GetCaseRequest {
                case_id: case_id.to_owned(),
            },
            &suite.admin(),
        ))
        .await
        .expect("get case")
        .into_inner()
        .case
        .expect("case")
}

/// Waits until the case reaches `status`.
pub async fn wait_case_status(
    suite: &Suite,
    case_id: &str,
    status: enforcement::CaseStatus,
) -> enforcement::Case {
    eventually(
        &format!("case {case_id} becomes {status:?}"),
        EFFECT_TIMEOUT,
        || async {
            let current = get_case(suite, case_id).await;
            (current.status == status as i32).then_some(current)
        },
    )
    .await
}

/// The seller's standing.
pub async fn standing(suite: &Suite, seller_id: &str) -> reputation::SellerStanding {
    suite
        .reputation_client()
        .get_seller_standing(authed(
            reputation::GetSellerStandingRequest {
                seller_id: seller_id.to_owned(),
            },
            &suite.admin(),
        ))
        .await
        .expect("standing")
        .into_inner()
        .standing
        .expect("standing")
}

/// Waits until the seller has exactly `strikes` active strikes.
pub async fn wait_strikes(
    suite: &Suite,
    seller_id: &str,
    strikes: i32,
) -> reputation::SellerStanding {
    eventually(
        &format!("{seller_id} has {strikes} strikes"),
        EFFECT_TIMEOUT,
        || async {
            let current = standing(suite, seller_id).await;
            (current.active_strikes == strikes).then_some(current)
        },
    )
    .await
}

/// The seller's violations as an admin sees them.
pub async fn violations(suite: &Suite, seller_id: &str) -> Vec<reputation::Violation> {
    suite
        .reputation_client()
        .list_violations(authed(
            reputation::ListViolationsRequest {
                seller_id: seller_id.to_owned(),
                page_size: 100,
                page_token: String::new(),
            },
            &suite.admin(),
        ))
        .await
        .expect("violations")
        .into_inner()
        .violations
}

/// The party holding `token` (the affected seller, or the notifier against a rejection)
/// appeals the case's decision.
pub async fn file_appeal(
    suite: &Suite,
    token: &str,
    case_id: &str,
    request_id: &str,
) -> enforcement::Appeal {
    suite
        .enforcement_client()
        .file_appeal(authed(
            enforcement::FileAppealRequest {
                request_id: request_id.to_owned(),
                case_id: case_id.to_owned(),
                grounds: "The decision overlooked the evidence filed with the notice.".to_owned(),
            },
            token,
        ))
        .await
        .expect("file appeal")
        .into_inner()
        .appeal
        .expect("appeal")
}

/// A reviewer (not the one who decided the case) decides an appeal.
pub async fn decide_appeal(
    suite: &Suite,
    reviewer: &str,
    appeal_id: &str,
    outcome: enforcement::AppealOutcome,
) -> enforcement::Case {
    let token = suite.token(Role::Reviewer, reviewer);
    suite
        .enforcement_client()
        .decide_appeal(authed(
            enforcement::DecideAppealRequest {
                appeal_id: appeal_id.to_owned(),
                outcome: outcome as i32,
                explanation: "Reviewed the appeal against the case file.".to_owned(),
            },
            &token,
        ))
        .await
        .expect("decide appeal")
        .into_inner()
        .case
        .expect("case")
}
