//! `GET /v1/listings/{id}`: a listing with its screening result and status, for listings of
//! sellers in the caller's jurisdiction (the listing service has no jurisdiction of its own, so
//! the gateway asks reputation about the seller, as the caller).

use axum::Json;
use axum::extract::State;
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::errors::ErrorCode;

use super::sellers::fetch;
use crate::auth::{Caller, needs};
use crate::dto::listings::Listing;
use crate::http::body::ApiPath;
use crate::http::problem::Problem;
use crate::openapi::ReadErrors;
use crate::state::AppState;
use crate::upstream::{LISTING, call};

/// A listing with its screening result, status and measures.
#[utoipa::path(
    get, path = "/v1/listings/{id}", tag = "listings",
    params(("id" = String, Path, description = "The listing id")),
    security(("bearer" = ["cases:read"])),
    responses((status = 200, description = "The listing", body = Listing), ReadErrors)
)]
pub async fn get_listing(
    State(state): State<AppState>,
    caller: Caller<needs::CasesRead>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Listing>, Problem> {
    let up = state.upstreams();
    let request = pb::GetListingRequest {
        listing_id: id.clone(),
    };
    let listing = call(
        up,
        LISTING,
        &up.listing,
        &caller.authorization,
        request,
        |mut c, r| async move { c.get_listing(r).await },
    )
    .await?
    .listing
    .ok_or_else(|| Problem::not_found(format!("listing {id:?} not found")))?;
    let not_found = || Problem::not_found(format!("listing {id:?} not found"));
    match fetch(&state, &caller.authorization, &listing.seller_id).await {
        Ok(seller) => {
            let country = seller
                .traceability
                .as_ref()
                .and_then(|t| t.address.as_ref())
                .map(|a| a.country_code.as_str())
                .unwrap_or_default();
            if caller.owns(country) {
                Ok(Json(Listing::from_proto(&listing)))
            } else {
                Err(not_found())
            }
        }
        // Another jurisdiction's seller (or an unknown one): the listing does not exist for
        // this caller.
        Err(p) if p.status == ErrorCode::PermissionDenied.http_status() || p.status == 404 => {
            Err(not_found())
        }
        Err(p) => Err(p),
    }
}
