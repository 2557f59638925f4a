//! Binds the handlers to the generated `ListingService` trait: take the caller the auth layer
//! authenticated, run the handler, turn its error into a `google.rpc.Status`.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_contracts::genuine::listing::v1::listing_service_server::ListingService;
use genuine_runtime::auth::principal;
use genuine_runtime::errors::ServiceResult;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{ListingApi, convert};

fn respond<T>(result: ServiceResult<T>) -> Result<Response<T>, Status> {
    result.map(Response::new).map_err(Status::from)
}

/// The caller and the message of a request.
fn split<T>(request: Request<T>) -> Result<(genuine_runtime::auth::Principal, T), Status> {
    let who = principal(&request)?.clone();
    Ok((who, request.into_inner()))
}

#[tonic::async_trait]
impl ListingService for ListingApi {
    async fn register_brand(
        &self,
        request: Request<pb::RegisterBrandRequest>,
    ) -> Result<Response<pb::RegisterBrandResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.register_brand(&who, r).await)
    }

    async fn get_brand(
        &self,
        request: Request<pb::GetBrandRequest>,
    ) -> Result<Response<pb::GetBrandResponse>, Status> {
        let (_, r) = split(request)?;
        respond(self.get_brand(r).await)
    }

    async fn list_brands(
        &self,
        request: Request<pb::ListBrandsRequest>,
    ) -> Result<Response<pb::ListBrandsResponse>, Status> {
        let (_, r) = split(request)?;
        respond(self.list_brands(r).await)
    }

    async fn authorize_seller(
        &self,
        request: Request<pb::AuthorizeSellerRequest>,
    ) -> Result<Response<pb::AuthorizeSellerResponse>, Status> {
        let (who, r) = split(request)?;
        respond(
            self.authorize_seller(&who, &r.brand_id, &r.seller_id, true)
                .await
                .map(|b| pb::AuthorizeSellerResponse {
                    brand: Some(convert::brand(&b)),
                }),
        )
    }

    async fn revoke_seller_authorization(
        &self,
        request: Request<pb::RevokeSellerAuthorizationRequest>,
    ) -> Result<Response<pb::RevokeSellerAuthorizationResponse>, Status> {
        let (who, r) = split(request)?;
        respond(
            self.authorize_seller(&who, &r.brand_id, &r.seller_id, false)
                .await
                .map(|b| pb::RevokeSellerAuthorizationResponse {
                    brand: Some(convert::brand(&b)),
                }),
        )
    }

    async fn add_counterfeit_images(
        &self,
        request: Request<pb::AddCounterfeitImagesRequest>,
    ) -> Result<Response<pb::AddCounterfeitImagesResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.add_counterfeit_images(&who, r).await)
    }

    async fn add_prohibited_terms(
        &self,
        request: Request<pb::AddProhibitedTermsRequest>,
    ) -> Result<Response<pb::AddProhibitedTermsResponse>, Status> {
        let (_, r) = split(request)?;
        respond(self.add_prohibited_terms(r).await)
    }

    async fn list_prohibited_terms(
        &self,
        request: Request<pb::ListProhibitedTermsRequest>,
    ) -> Result<Response<pb::ListProhibitedTermsResponse>, Status> {
        let (_, r) = split(request)?;
        respond(self.list_prohibited_terms(r).await)
    }

    async fn create_listing(
        &self,
        request: Request<pb::CreateListingRequest>,
    ) -> Result<Response<pb::CreateListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.create_listing(&who, r).await)
    }

    async fn update_listing(
        &self,
        request: Request<pb::UpdateListingRequest>,
    ) -> Result<Response<pb::UpdateListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.update_listing(&who, r).await)
    }

    async fn get_listing(
        &self,
        request: Request<pb::GetListingRequest>,
    ) -> Result<Response<pb::GetListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.get_listing(&who, r).await)
    }

    async fn list_listings(
        &self,
        request: Request<pb::ListListingsRequest>,
    ) -> Result<Response<pb::ListListingsResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.list_listings(&who, r).await)
    }

    async fn screen_listing(
        &self,
        request: Request<pb::ScreenListingRequest>,
    ) -> Result<Response<pb::ScreenListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.screen_listing(&who, r).await)
    }

    type ScreenListingsStream = ReceiverStream<Result<pb::ScreenListingsResponse, Status>>;

    async fn screen_listings(
        &self,
        request: Request<tonic::Streaming<pb::ScreenListingsRequest>>,
    ) -> Result<Response<Self::ScreenListingsStream>, Status> {
        let (_, stream) = split(request)?;
        Ok(Response::new(self.screen_stream(stream)))
    }

    async fn take_down_listing(
        &self,
        request: Request<pb::TakeDownListingRequest>,
    ) -> Result<Response<pb::TakeDownListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.take_down(&who, r).await)
    }

    async fn restore_listing(
        &self,
        request: Request<pb::RestoreListingRequest>,
    ) -> Result<Response<pb::RestoreListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.restore(&who, r).await)
    }

    async fn withdraw_listing(
        &self,
        request: Request<pb::WithdrawListingRequest>,
    ) -> Result<Response<pb::WithdrawListingResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.withdraw(&who, r).await)
    }

    async fn suspend_seller_listings(
        &self,
        request: Request<pb::SuspendSellerListingsRequest>,
    ) -> Result<Response<pb::SuspendSellerListingsResponse>, Status> {
        let (who, r) = split(request)?;
        respond(self.suspend(&who, r).await)
    }

    async fn reinstate_seller_listings(
        &self,
        request: Request<pb::ReinstateSellerListingsRequest>,
    ) -> Result<Response<pb::ReinstateSellerListingsResponse>, Status> {
        let (_, r) = split(request)?;
        respond(self.reinstate(r).await)
    }
}
