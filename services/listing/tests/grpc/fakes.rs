//! Stand-ins for seller-reputation (standing from a table, optionally slow) and enforcement
//! (records the notices it receives), served over TCP without auth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genuine_contracts::genuine::enforcement::v1::enforcement_service_server::{
    EnforcementService, EnforcementServiceServer,
};
use genuine_contracts::genuine::enforcement::v1::*;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_server::{
    SellerReputationService, SellerReputationServiceServer,
};
use genuine_contracts::genuine::reputation::v1::*;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Seller-reputation: answers GetSellerStanding and BatchGetSellerStandings from `standings`,
/// after `delay`; remembers the seller ids of every batch call.
#[derive(Debug, Default, Clone)]
pub struct FakeReputation {
    pub standings: Arc<Mutex<HashMap<String, SellerStanding>>>,
    pub delay: Arc<Mutex<Duration>>,
    pub batches: Arc<Mutex<Vec<Vec<String>>>>,
}

impl FakeReputation {
    /// Registers `seller` with `score`, verified or not.
    pub fn set(&self, seller: &str, score: i32, verified: bool, suspended: bool) {
        let standing = SellerStanding {
            seller_id: seller.to_owned(),
            score,
            suspended,
            verification_status: if verified {
                VerificationStatus::Verified as i32
            } else {
                VerificationStatus::Pending as i32
            },
            ..SellerStanding::default()
        };
        self.standings
            .lock()
            .expect("lock")
            .insert(seller.to_owned(), standing);
    }
}

#[tonic::async_trait]
impl SellerReputationService for FakeReputation {
    async fn get_seller_standing(
        &self,
        request: Request<GetSellerStandingRequest>,
    ) -> Result<Response<GetSellerStandingResponse>, Status> {
        let delay = *self.delay.lock().expect("lock");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let seller = request.into_inner().seller_id;
        let standing = self.standings.lock().expect("lock").get(&seller).cloned();
        match standing {
            Some(standing) => Ok(Response::new(GetSellerStandingResponse {
                standing: Some(standing),
            })),
            None => Err(Status::not_found(format!("seller {seller} not found"))),
        }
    }

    async fn register_seller(
        &self,
        _: Request<RegisterSellerRequest>,
    ) -> Result<Response<RegisterSellerResponse>, Status> {
        Err(Status::unimplemented("register_seller"))
    }

    async fn verify_seller(
        &self,
        _: Request<VerifySellerRequest>,
    ) -> Result<Response<VerifySellerResponse>, Status> {
        Err(Status::unimplemented("verify_seller"))
    }

    async fn get_seller(
        &self,
        _: Request<GetSellerRequest>,
    ) -> Result<Response<GetSellerResponse>, Status> {
        Err(Status::unimplemented("get_seller"))
    }

    async fn list_sellers(
        &self,
        _: Request<ListSellersRequest>,
    ) -> Result<Response<ListSellersResponse>, Status> {
        Err(Status::unimplemented("list_sellers"))
    }

    async fn batch_get_seller_standings(
        &self,
        request: Request<BatchGetSellerStandingsRequest>,
    ) -> Result<Response<BatchGetSellerStandingsResponse>, Status> {
        let delay = *self.delay.lock().expect("lock");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let table = self.standings.lock().expect("lock").clone();
        let sellers = request.into_inner().seller_ids;
        self.batches.lock().expect("lock").push(sellers.clone());
        let (known, missing): (Vec<String>, Vec<String>) = sellers
            .into_iter()
            .partition(|seller| table.contains_key(seller));
        Ok(Response::new(BatchGetSellerStandingsResponse {
            standings: known.iter().map(|seller| table[seller].clone()).collect(),
            missing_seller_ids: missing,
        }))
    }

    async fn record_violation(
        &self,
        _: Request<RecordViolationRequest>,
    ) -> Result<Response<RecordViolationResponse>, Status> {
        Err(Status::unimplemented("record_violation"))
    }

    async fn retract_violation(
        &self,
        _: Request<RetractViolationRequest>,
    ) -> Result<Response<RetractViolationResponse>, Status> {
        Err(Status::unimplemented("retract_violation"))
    }

    async fn record_inspection(
        &self,
        _: Request<RecordInspectionRequest>,
    ) -> Result<Response<RecordInspectionResponse>, Status> {
        Err(Status::unimplemented("record_inspection"))
    }

    async fn list_violations(
        &self,
        _: Request<ListViolationsRequest>,
    ) -> Result<Response<ListViolationsResponse>, Status> {
        Err(Status::unimplemented("list_violations"))
    }

    async fn list_inspections(
        &self,
        _: Request<ListInspectionsRequest>,
    ) -> Result<Response<ListInspectionsResponse>, Status> {
        Err(Status::unimplemented("list_inspections"))
    }

    async fn suspend_seller(
        &self,
        _: Request<SuspendSellerRequest>,
    ) -> Result<Response<SuspendSellerResponse>, Status> {
        Err(Status::unimplemented("suspend_seller"))
    }

    async fn reinstate_seller(
        &self,
        _: Request<ReinstateSellerRequest>,
    ) -> Result<Response<ReinstateSellerResponse>, Status> {
        Err(Status::unimplemented("reinstate_seller"))
    }

    async fn close_seller(
        &self,
        _: Request<CloseSellerRequest>,
    ) -> Result<Response<CloseSellerResponse>, Status> {
        Err(Status::unimplemented("close_seller"))
    }
}

/// Enforcement: records SubmitNotice requests.
#[derive(Debug, Default, Clone)]
pub struct FakeEnforcement {
    pub notices: Arc<Mutex<Vec<SubmitNoticeRequest>>>,
}

#[tonic::async_trait]
impl EnforcementService for FakeEnforcement {
    async fn submit_notice(
        &self,
        request: Request<SubmitNoticeRequest>,
    ) -> Result<Response<SubmitNoticeResponse>, Status> {
        self.notices
            .lock()
            .expect("lock")
            .push(request.into_inner());
        Ok(Response::new(SubmitNoticeResponse::default()))
    }

    async fn get_notice(
        &self,
        _: Request<GetNoticeRequest>,
    ) -> Result<Response<GetNoticeResponse>, Status> {
        Err(Status::unimplemented("get_notice"))
    }

    async fn list_notices(
        &self,
        _: Request<ListNoticesRequest>,
    ) -> Result<Response<ListNoticesResponse>, Status> {
        Err(Status::unimplemented("list_notices"))
    }

    async fn get_case(
        &self,
        _: Request<GetCaseRequest>,
    ) -> Result<Response<GetCaseResponse>, Status> {
        Err(Status::unimplemented("get_case"))
    }

    async fn list_cases(
        &self,
        _: Request<ListCasesRequest>,
    ) -> Result<Response<ListCasesResponse>, Status> {
        Err(Status::unimplemented("list_cases"))
    }

    async fn decide_case(
        &self,
        _: Request<DecideCaseRequest>,
    ) -> Result<Response<DecideCaseResponse>, Status> {
        Err(Status::unimplemented("decide_case"))
    }

    async fn submit_counter_notice(
        &self,
        _: Request<SubmitCounterNoticeRequest>,
    ) -> Result<Response<SubmitCounterNoticeResponse>, Status> {
        Err(Status::unimplemented("submit_counter_notice"))
    }

    async fn confirm_legal_action(
        &self,
        _: Request<ConfirmLegalActionRequest>,
    ) -> Result<Response<ConfirmLegalActionResponse>, Status> {
        Err(Status::unimplemented("confirm_legal_action"))
    }

    async fn file_appeal(
        &self,
        _: Request<FileAppealRequest>,
    ) -> Result<Response<FileAppealResponse>, Status> {
        Err(Status::unimplemented("file_appeal"))
    }

    async fn decide_appeal(
        &self,
        _: Request<DecideAppealRequest>,
    ) -> Result<Response<DecideAppealResponse>, Status> {
        Err(Status::unimplemented("decide_appeal"))
    }

    async fn get_statement_of_reasons(
        &self,
        _: Request<GetStatementOfReasonsRequest>,
    ) -> Result<Response<GetStatementOfReasonsResponse>, Status> {
        Err(Status::unimplemented("get_statement_of_reasons"))
    }

    async fn list_statements_of_reasons(
        &self,
        _: Request<ListStatementsOfReasonsRequest>,
    ) -> Result<Response<ListStatementsOfReasonsResponse>, Status> {
        Err(Status::unimplemented("list_statements_of_reasons"))
    }

    async fn get_transparency_report(
        &self,
        _: Request<GetTransparencyReportRequest>,
    ) -> Result<Response<GetTransparencyReportResponse>, Status> {
        Err(Status::unimplemented("get_transparency_report"))
    }

    async fn get_audit_log_head(
        &self,
        _: Request<GetAuditLogHeadRequest>,
    ) -> Result<Response<GetAuditLogHeadResponse>, Status> {
        Err(Status::unimplemented("get_audit_log_head"))
    }

    async fn get_audit_proof(
        &self,
        _: Request<GetAuditProofRequest>,
    ) -> Result<Response<GetAuditProofResponse>, Status> {
        Err(Status::unimplemented("get_audit_proof"))
    }

    async fn verify_audit_log(
        &self,
        _: Request<VerifyAuditLogRequest>,
    ) -> Result<Response<VerifyAuditLogResponse>, Status> {
        Err(Status::unimplemented("verify_audit_log"))
    }

    async fn list_buyer_notifications(
        &self,
        _: Request<ListBuyerNotificationsRequest>,
    ) -> Result<Response<ListBuyerNotificationsResponse>, Status> {
        Err(Status::unimplemented("list_buyer_notifications"))
    }
}

/// Serves both fakes on their own ports until `shutdown`; answers their URLs.
pub async fn serve_fakes(
    reputation: FakeReputation,
    enforcement: FakeEnforcement,
    shutdown: CancellationToken,
) -> (String, String) {
    let rep_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let enf_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let rep_url = format!("http://{}", rep_listener.local_addr().expect("addr"));
    let enf_url = format!("http://{}", enf_listener.local_addr().expect("addr"));
    let token = shutdown.clone();
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(SellerReputationServiceServer::new(reputation))
            .serve_with_incoming_shutdown(
                TcpListenerStream::new(rep_listener),
                token.cancelled_owned(),
            )
            .await
            .expect("fake reputation");
    });
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(EnforcementServiceServer::new(enforcement))
            .serve_with_incoming_shutdown(
                TcpListenerStream::new(enf_listener),
                shutdown.cancelled_owned(),
            )
            .await
            .expect("fake enforcement");
    });
    (rep_url, enf_url)
}
