//! The parties' moves through the public gRPC APIs, each retried through outages as a real
//! client would: a seller lists, screening or a rights holder opens a case, a reviewer decides,
//! then a counter-notice, legal action or an appeal. Calls without an idempotency key
//! (DecideCase, SubmitCounterNotice, ConfirmLegalAction, DecideAppeal) are retried too; when a
//! retry is refused because the first attempt did commit, the client reads the case back and
//! accepts its own earlier step.

use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1 as enf;
use genuine_contracts::genuine::listing::v1 as lst;
use genuine_contracts::genuine::reputation::v1 as rep;
use genuine_runtime::auth::Role;
use tokio::time::Instant;
use tonic::transport::Channel;

use crate::calls::{must, retrying};
use crate::plan::{FollowUp, LegalAction, Plan, Record};
use crate::services::{Endpoints, RECOVERY, Svc};
use crate::support::grpc::{authed, eur};

type Listing = lst::listing_service_client::ListingServiceClient<Channel>;
type Enforcement = enf::enforcement_service_client::EnforcementServiceClient<Channel>;
type Reputation = rep::seller_reputation_service_client::SellerReputationServiceClient<Channel>;

/// The reviewer who decides cases, and the other one who decides appeals.
const REVIEWER: &str = "reviewer-ada";
const APPEAL_REVIEWER: &str = "reviewer-bo";

/// One platform client: its own connections to listing and enforcement.
pub struct Client {
    endpoints: Endpoints,
    listing: Listing,
    enforcement: Enforcement,
}

impl Client {
    pub fn new(endpoints: &Endpoints) -> Self {
        Self {
            endpoints: endpoints.clone(),
            listing: Listing::new(endpoints.channel(Svc::Listing)),
            enforcement: Enforcement::new(endpoints.channel(Svc::Enforcement)),
        }
    }

    fn token(&self, role: Role, subject: &str) -> String {
        self.endpoints.token(role, subject)
    }

    /// Carries out `plan`; answers what the client was told.
    pub async fn run(&self, plan: Plan) -> Record {
        let listing = self.create_listing(&plan).await;
        let decision = listing.screening.as_ref().map_or(0, |s| s.decision);
        let automated = decision != lst::ScreeningDecision::Publish as i32;
        let (notice, case_id) = if automated {
            (None, self.automated_case(&plan, &listing.listing_id).await)
        } else {
            let (request_id, notice) = self.notice(&plan, &listing.listing_id).await;
            let case_id = notice.case_ids.first().cloned().expect("one case");
            (Some((request_id, notice.notice_id)), case_id)
        };
        self.decide(&plan, &case_id).await;
        let follow_up = match plan.follow_up {
            FollowUp::NotifierAppeal(_) if automated => FollowUp::Nothing,
            other => other,
        };
        let mut record = Record {
            plan: plan.clone(),
            listing_id: listing.listing_id,
            automated,
            notice,
            case_id: case_id.clone(),
            follow_up,
            counter_notice: false,
            legal_action: None,
            appeal: None,
        };
        match follow_up {
            FollowUp::Nothing => {}
            FollowUp::CounterNoticeThenExpiry => {
                self.counter_notice(&plan, &case_id).await;
                record.counter_notice = true;
            }
            FollowUp::CounterNoticeThenLegalAction => {
                self.counter_notice(&plan, &case_id).await;
                record.counter_notice = true;
                let confirmer = if automated {
                    self.token(Role::Admin, "admin")
                } else {
                    self.token(Role::RightsHolder, &plan.rights_holder)
                };
                record.legal_action = Some(self.legal_action(&plan, &case_id, &confirmer).await);
            }
            FollowUp::SellerAppeal(outcome) => {
                let token = self.token(Role::Seller, &plan.seller);
                record.appeal = Some(self.appeal(&plan, &case_id, &token, outcome).await);
            }
            FollowUp::NotifierAppeal(outcome) => {
                let token = self.token(Role::RightsHolder, &plan.rights_holder);
                record.appeal = Some(self.appeal(&plan, &case_id, &token, outcome).await);
            }
        }
        record
    }

    async fn create_listing(&self, plan: &Plan) -> lst::Listing {
        let token = self.token(Role::Seller, &plan.seller);
        let title = if plan.suspicious {
            format!("AAA quality replica handbag no. {}", plan.index)
        } else {
            format!("Plain leather handbag no. {}", plan.index)
        };
        let request = lst::CreateListingRequest {
            request_id: format!("flow-{}", plan.index),
            seller_id: plan.seller.clone(),
            title,
            description: "A handbag in good condition.".to_owned(),
            category: "handbags".to_owned(),
            price: Some(eur(100)),
            images: Vec::new(),
        };
        let client = &self.listing;
        must("CreateListing", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.create_listing(request).await }
        })
        .await
        .listing
        .expect("listing")
    }

    /// The case screening's notice opened, once the listing's outbox delivered it.
    async fn automated_case(&self, plan: &Plan, listing_id: &str) -> String {
        let token = self.token(Role::Reviewer, REVIEWER);
        let deadline = Instant::now() + RECOVERY * 2;
        loop {
            let mut page_token = String::new();
            loop {
                let request = enf::ListCasesRequest {
                    seller_id: plan.seller.clone(),
                    source: enf::NoticeSource::AutomatedDetection as i32,
                    status: enf::CaseStatus::Open as i32,
                    page_size: 100,
                    page_token: page_token.clone(),
                    ..Default::default()
                };
                let client = &self.enforcement;
                let page = must("ListCases", || {
                    let mut client = client.clone();
                    let request = authed(request.clone(), &token);
                    async move { client.list_cases(request).await }
                })
                .await;
                if let Some(found) = page.cases.iter().find(|c| c.listing_id == listing_id) {
                    return found.case_id.clone();
                }
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            assert!(
                Instant::now() < deadline,
                "no automated-detection case for held listing {listing_id} (flow {})",
                plan.index
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn notice(&self, plan: &Plan, listing_id: &str) -> (String, enf::Notice) {
        let token = self.token(Role::RightsHolder, &plan.rights_holder);
        let request_id = format!("notice-{}", plan.index);
        let request = enf::SubmitNoticeRequest {
            request_id: request_id.clone(),
            source: enf::NoticeSource::RightsHolder as i32,
            notifier: Some(enf::Notifier {
                notifier_id: plan.rights_holder.clone(),
                name: format!("{} legal team", plan.rights_holder),
                email: format!("legal@{}.example", plan.rights_holder),
                organization: format!("{} SA", plan.rights_holder),
            }),
            ground: enf::NoticeGround::TrademarkInfringement as i32,
            listing_ids: vec![listing_id.to_owned()],
            brand_id: None,
            explanation: "The bag carries our registered trademark; we never made it.".to_owned(),
            evidence_urls: vec!["https://brand.example/evidence/1".to_owned()],
            good_faith_declaration: true,
            jurisdiction: "DE".to_owned(),
            automated_detection: None,
        };
        let client = &self.enforcement;
        let reply = must("SubmitNotice", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.submit_notice(request).await }
        })
        .await;
        (request_id, reply.notice.expect("notice"))
    }

    async fn decide(&self, plan: &Plan, case_id: &str) {
        let token = self.token(Role::Reviewer, REVIEWER);
        let request = enf::DecideCaseRequest {
            case_id: case_id.to_owned(),
            outcome: plan.outcome as i32,
            explanation: "Checked the listing against the evidence.".to_owned(),
            severity: enf::Severity::Medium as i32,
        };
        let client = &self.enforcement;
        let answer = retrying("DecideCase", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.decide_case(request).await }
        })
        .await;
        if let Err(status) = answer {
            // Refused because an earlier attempt committed: the decision must be ours.
            let case = self.case(case_id).await;
            let decided = case.decision.as_ref().map(|d| d.outcome);
            assert!(
                status.code() == tonic::Code::FailedPrecondition
                    && decided == Some(plan.outcome as i32),
                "DecideCase on {case_id} (flow {}): {status:?}; case {case:?}",
                plan.index
            );
        }
    }

    async fn counter_notice(&self, plan: &Plan, case_id: &str) {
        let token = self.token(Role::Seller, &plan.seller);
        let request = enf::SubmitCounterNoticeRequest {
            case_id: case_id.to_owned(),
            declaration: "The bag is genuine; the invoice from the brand is attached.".to_owned(),
            evidence_urls: vec!["https://seller.example/invoice.pdf".to_owned()],
        };
        let client = &self.enforcement;
        let answer = retrying("SubmitCounterNotice", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.submit_counter_notice(request).await }
        })
        .await;
        if let Err(status) = answer {
            let case = self.case(case_id).await;
            assert!(
                status.code() == tonic::Code::FailedPrecondition && case.counter_notice.is_some(),
                "SubmitCounterNotice on {case_id} (flow {}): {status:?}; case {case:?}",
                plan.index
            );
        }
    }

    async fn legal_action(&self, plan: &Plan, case_id: &str, token: &str) -> LegalAction {
        let request = enf::ConfirmLegalActionRequest {
            case_id: case_id.to_owned(),
            authority_or_court: "Landgericht Berlin".to_owned(),
            reference: format!("16 O {}/26", plan.index),
        };
        let client = &self.enforcement;
        let answer = retrying("ConfirmLegalAction", || {
            let mut client = client.clone();
            let request = authed(request.clone(), token);
            async move { client.confirm_legal_action(request).await }
        })
        .await;
        let Err(status) = answer else {
            return LegalAction::Confirmed;
        };
        let case = self.case(case_id).await;
        assert_eq!(
            status.code(),
            tonic::Code::FailedPrecondition,
            "ConfirmLegalAction on {case_id} (flow {}): {status:?}",
            plan.index
        );
        if case.legal_action.is_some() {
            LegalAction::Confirmed
        } else {
            // Too late: the window has closed, whether or not its deadline has fired yet (it
            // ends the measures when it does).
            assert!(
                [
                    enf::CaseStatus::MeasuresLifted as i32,
                    enf::CaseStatus::CounterNoticePending as i32
                ]
                .contains(&case.status),
                "legal action refused on {case_id} (flow {}): {status:?}; case {case:?}",
                plan.index
            );
            LegalAction::TooLate
        }
    }

    async fn appeal(
        &self,
        plan: &Plan,
        case_id: &str,
        appellant: &str,
        outcome: enf::AppealOutcome,
    ) -> (String, String, enf::AppealOutcome) {
        let request_id = format!("appeal-{}", plan.index);
        let filing = enf::FileAppealRequest {
            request_id: request_id.clone(),
            case_id: case_id.to_owned(),
            grounds: "The decision overlooked the evidence.".to_owned(),
        };
        let client = &self.enforcement;
        let file = || {
            let mut client = client.clone();
            let request = authed(filing.clone(), appellant);
            async move { client.file_appeal(request).await }
        };
        let appeal = must("FileAppeal", file).await.appeal.expect("appeal");
        let token = self.token(Role::Reviewer, APPEAL_REVIEWER);
        let request = enf::DecideAppealRequest {
            appeal_id: appeal.appeal_id.clone(),
            outcome: outcome as i32,
            explanation: "Reviewed the appeal against the case file.".to_owned(),
        };
        let answer = retrying("DecideAppeal", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.decide_appeal(request).await }
        })
        .await;
        if let Err(status) = answer {
            // Filing again with the same request id reads the appeal back.
            let stored = must("FileAppeal (read back)", file)
                .await
                .appeal
                .expect("appeal");
            assert!(
                status.code() == tonic::Code::FailedPrecondition
                    && stored.status == enf::AppealStatus::Decided as i32
                    && stored.outcome == outcome as i32,
                "DecideAppeal {} (flow {}): {status:?}; appeal {stored:?}",
                appeal.appeal_id,
                plan.index
            );
        }
        (request_id, appeal.appeal_id, outcome)
    }

    async fn case(&self, case_id: &str) -> enf::Case {
        let token = self.token(Role::Reviewer, REVIEWER);
        let request = enf::GetCaseRequest {
            case_id: case_id.to_owned(),
        };
        let client = &self.enforcement;
        must("GetCase", || {
            let mut client = client.clone();
            let request = authed(request.clone(), &token);
            async move { client.get_case(request).await }
        })
        .await
        .r#case
        .expect("case")
    }
}

/// Registers and verifies every seller of the run (before the faults start).
pub async fn register_sellers(endpoints: &Endpoints, sellers: &[String]) {
    let reputation = Reputation::new(endpoints.channel(Svc::Reputation));
    let admin = endpoints.token(Role::Admin, "admin");
    for seller in sellers {
        let token = endpoints.token(Role::Seller, seller);
        let request =
            genuine_reputation::testing::registration(&format!("register-{seller}"), seller, "DE");
        must("RegisterSeller", || {
            let mut client = reputation.clone();
            let request = authed(request.clone(), &token);
            async move { client.register_seller(request).await }
        })
        .await;
        let verify = rep::VerifySellerRequest {
            seller_id: seller.clone(),
            outcome: rep::VerificationOutcome::Verified as i32,
            note: "documents checked".to_owned(),
        };
        must("VerifySeller", || {
            let mut client = reputation.clone();
            let request = authed(verify.clone(), &admin);
            async move { client.verify_seller(request).await }
        })
        .await;
    }
}
