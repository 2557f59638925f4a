//! Binds the handlers to the generated `EnforcementService` trait: take the principal the auth
//! layer attached, call the handler, convert its error into a status with details.

use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_server::EnforcementService;
use genuine_runtime::auth::principal;
use tonic::{Request, Response, Status};

use super::EnforcementApi;

#[tonic::async_trait]
impl EnforcementService for EnforcementApi {
    async fn submit_notice(
        &self,
        request: Request<pb::SubmitNoticeRequest>,
    ) -> Result<Response<pb::SubmitNoticeResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.submit_notice(&p, request.into_inner()).await?,
        ))
    }

    async fn get_notice(
        &self,
        request: Request<pb::GetNoticeRequest>,
    ) -> Result<Response<pb::GetNoticeResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.get_notice(&p, request.into_inner()).await?,
        ))
    }

    async fn list_notices(
        &self,
        request: Request<pb::ListNoticesRequest>,
    ) -> Result<Response<pb::ListNoticesResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.list_notices(&p, request.into_inner()).await?,
        ))
    }

    async fn get_case(
        &self,
        request: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::GetCaseResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.get_case(&p, request.into_inner()).await?,
        ))
    }

    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.list_cases(&p, request.into_inner()).await?,
        ))
    }

    async fn decide_case(
        &self,
        request: Request<pb::DecideCaseRequest>,
    ) -> Result<Response<pb::DecideCaseResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.decide_case(&p, request.into_inner()).await?,
        ))
    }

    async fn submit_counter_notice(
        &self,
        request: Request<pb::SubmitCounterNoticeRequest>,
    ) -> Result<Response<pb::SubmitCounterNoticeResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.submit_counter_notice(&p, request.into_inner()).await?,
        ))
    }

    async fn confirm_legal_action(
        &self,
        request: Request<pb::ConfirmLegalActionRequest>,
    ) -> Result<Response<pb::ConfirmLegalActionResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.confirm_legal_action(&p, request.into_inner()).await?,
        ))
    }

    async fn file_appeal(
        &self,
        request: Request<pb::FileAppealRequest>,
    ) -> Result<Response<pb::FileAppealResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.file_appeal(&p, request.into_inner()).await?,
        ))
    }

    async fn decide_appeal(
        &self,
        request: Request<pb::DecideAppealRequest>,
    ) -> Result<Response<pb::DecideAppealResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.decide_appeal(&p, request.into_inner()).await?,
        ))
    }

    async fn get_statement_of_reasons(
        &self,
        request: Request<pb::GetStatementOfReasonsRequest>,
    ) -> Result<Response<pb::GetStatementOfReasonsResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.get_statement(&p, request.into_inner()).await?,
        ))
    }

    async fn list_statements_of_reasons(
        &self,
        request: Request<pb::ListStatementsOfReasonsRequest>,
    ) -> Result<Response<pb::ListStatementsOfReasonsResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.list_statements(&p, request.into_inner()).await?,
        ))
    }

    async fn get_transparency_report(
        &self,
        request: Request<pb::GetTransparencyReportRequest>,
    ) -> Result<Response<pb::GetTransparencyReportResponse>, Status> {
        let p = principal(&request)?.clone();
        Ok(Response::new(
            self.transparency_report(&p, request.into_inner()).await?,
        ))
    }

    async fn get_audit_log_head(
        &self,
        request: Request<pb::GetAuditLogHeadRequest>,
    ) -> Result<Response<pb::GetAuditLogHeadResponse>, Status> {
        principal(&request)?;
        Ok(Response::new(self.audit_head().await?))
    }

    async fn get_audit_proof(
        &self,
        request: Request<pb::GetAuditProofRequest>,
    ) -> Result<Response<pb::GetAuditProofResponse>, Status> {
        principal(&request)?;
        Ok(Response::new(self.audit_proof(request.into_inner()).await?))
    }

    async fn verify_audit_log(
        &self,
        request: Request<pb::VerifyAuditLogRequest>,
    ) -> Result<Response<pb::VerifyAuditLogResponse>, Status> {
        principal(&request)?;
        Ok(Response::new(
            self.verify_audit(request.into_inner()).await?,
        ))
    }

    async fn list_buyer_notifications(
        &self,
        request: Request<pb::ListBuyerNotificationsRequest>,
    ) -> Result<Response<pb::ListBuyerNotificationsResponse>, Status> {
        principal(&request)?;
        Ok(Response::new(
            self.list_buyer_notifications(request.into_inner()).await?,
        ))
    }
}
