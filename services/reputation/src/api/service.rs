//! Binds the handlers to the generated `SellerReputationService` trait: take the caller from
//! the request (put there by the auth layer), run the handler, turn its error into a status.

use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_server::SellerReputationService;
use genuine_runtime::auth::principal;
use tonic::{Request, Response, Status};

use super::ReputationApi;

#[tonic::async_trait]
impl SellerReputationService for ReputationApi {
    async fn register_seller(
        &self,
        request: Request<pb::RegisterSellerRequest>,
    ) -> Result<Response<pb::RegisterSellerResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.register_seller(&who, request.into_inner()).await?,
        ))
    }

    async fn verify_seller(
        &self,
        request: Request<pb::VerifySellerRequest>,
    ) -> Result<Response<pb::VerifySellerResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.verify_seller(&who, request.into_inner()).await?,
        ))
    }

    async fn close_seller(
        &self,
        request: Request<pb::CloseSellerRequest>,
    ) -> Result<Response<pb::CloseSellerResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.close_seller(&who, request.into_inner()).await?,
        ))
    }

    async fn get_seller(
        &self,
        request: Request<pb::GetSellerRequest>,
    ) -> Result<Response<pb::GetSellerResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.get_seller(&who, request.into_inner()).await?,
        ))
    }

    async fn list_sellers(
        &self,
        request: Request<pb::ListSellersRequest>,
    ) -> Result<Response<pb::ListSellersResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.list_sellers(&who, request.into_inner()).await?,
        ))
    }

    async fn get_seller_standing(
        &self,
        request: Request<pb::GetSellerStandingRequest>,
    ) -> Result<Response<pb::GetSellerStandingResponse>, Status> {
        Ok(Response::new(
            self.get_seller_standing(request.into_inner()).await?,
        ))
    }

    async fn batch_get_seller_standings(
        &self,
        request: Request<pb::BatchGetSellerStandingsRequest>,
    ) -> Result<Response<pb::BatchGetSellerStandingsResponse>, Status> {
        Ok(Response::new(
            self.batch_get_seller_standings(request.into_inner())
                .await?,
        ))
    }

    async fn record_violation(
        &self,
        request: Request<pb::RecordViolationRequest>,
    ) -> Result<Response<pb::RecordViolationResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.record_violation(&who, request.into_inner()).await?,
        ))
    }

    async fn retract_violation(
        &self,
        request: Request<pb::RetractViolationRequest>,
    ) -> Result<Response<pb::RetractViolationResponse>, Status> {
        Ok(Response::new(
            self.retract_violation(request.into_inner()).await?,
        ))
    }

    async fn record_inspection(
        &self,
        request: Request<pb::RecordInspectionRequest>,
    ) -> Result<Response<pb::RecordInspectionResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.record_inspection(&who, request.into_inner()).await?,
        ))
    }

    async fn list_violations(
        &self,
        request: Request<pb::ListViolationsRequest>,
    ) -> Result<Response<pb::ListViolationsResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.list_violations(&who, request.into_inner()).await?,
        ))
    }

    async fn list_inspections(
        &self,
        request: Request<pb::ListInspectionsRequest>,
    ) -> Result<Response<pb::ListInspectionsResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.list_inspections(&who, request.into_inner()).await?,
        ))
    }

    async fn suspend_seller(
        &self,
        request: Request<pb::SuspendSellerRequest>,
    ) -> Result<Response<pb::SuspendSellerResponse>, Status> {
        let who = principal(&request)?.clone();
        Ok(Response::new(
            self.suspend_seller(&who, request.into_inner()).await?,
        ))
    }

    async fn reinstate_seller(
        &self,
        request: Request<pb::ReinstateSellerRequest>,
    ) -> Result<Response<pb::ReinstateSellerResponse>, Status> {
        Ok(Response::new(
            self.reinstate_seller(request.into_inner()).await?,
        ))
    }
}
