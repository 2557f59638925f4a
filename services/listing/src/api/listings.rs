//! CreateListing, UpdateListing, GetListing, ListListings.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::policy::LISTING_WRITERS;
use super::validate::{self, DraftFields, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS};
use super::{ListingApi, actor, convert, regulator_jurisdiction, sees_everything};
use crate::domain::measures::ListingStatus;
use crate::store::{
    self, CreateRequest, ListingContent, ListingFilter, ListingView, NewListing, PageRequest,
    Visibility,
};

/// Paths UpdateListing may change.
const UPDATABLE: [&str; 5] = ["title", "description", "category", "price", "images"];

impl ListingApi {
    pub(super) async fn create_listing(
        &self,
        who: &Principal,
        request: pb::CreateListingRequest,
    ) -> ServiceResult<pb::CreateListingResponse> {
        if !who.has_role(Role::Admin) && request.seller_id != who.subject {
            return Err(ServiceError::permission_denied(
                "sellers may create listings for their own seller_id only",
            ));
        }
        let mut v = Violations::new();
        validate::short_required(&mut v, &request.request_id, "request_id");
        let fields = DraftFields {
            seller_id: &request.seller_id,
            title: &request.title,
            description: &request.description,
            category: &request.category,
            price: request.price.as_ref(),
            images: &request.images,
        };
        let content = validate::draft(
            &mut v,
            fields,
            "",
            self.config.max_images,
            self.config.image_limits,
        )
        .await?;
        v.finish()?;
        let content =
            content.ok_or_else(|| ServiceError::internal("draft valid but incomplete"))?;
        // No look-up of the request id first: that was one query per create, outside the
        // batch. A retry is screened again and the batch answers it with the listing stored
        // the first time (or ALREADY_EXISTS for other content under the same request id).
        let screened = match self
            .screen_content(&request.seller_id, &content, "seller_id")
            .await
        {
            Ok(screened) => screened,
            // A retry of a create that succeeded answers as before, even for a seller that
            // seller-reputation no longer knows.
            Err(refused) => {
                let stored = store::find_by_request(
                    &self.db,
                    &request.seller_id,
                    &request.request_id,
                    &content,
                )
                .await?;
                return match stored {
                    Some(existing) => Ok(pb::CreateListingResponse {
                        listing: Some(convert::listing(&existing)),
                    }),
                    None => Err(refused),
                };
            }
        };
        let request = CreateRequest {
            new: NewListing {
                request_id: request.request_id,
                seller_id: request.seller_id,
                content,
            },
            screened,
            actor: actor(who, LISTING_WRITERS),
            now: self.now(),
        };
        // The writer hands the notice to the dispatcher (or wakes it) after its commit.
        let view = self.creates.create(request).await?;
        Ok(pb::CreateListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }

    pub(super) async fn update_listing(
        &self,
        who: &Principal,
        request: pb::UpdateListingRequest,
    ) -> ServiceResult<pb::UpdateListingResponse> {
        validate_id(&request.listing_id, "listing_id")?;
        let current = store::get_listing(&self.db, &request.listing_id).await?;
        if !who.has_role(Role::Admin) && current.seller_id != who.subject {
            return Err(ServiceError::permission_denied(
                "sellers may edit their own listings only",
            ));
        }
        if matches!(
            current.status,
            ListingStatus::TakenDown | ListingStatus::Suspended | ListingStatus::Withdrawn
        ) {
            return Err(ServiceError::failed_precondition(
                "LISTING_STATUS",
                &current.listing_id,
                format!(
                    "listing {} is {}; it cannot be edited until its measures end",
                    current.listing_id,
                    current.status.as_str()
                ),
            ));
        }
        let content = self.updated_content(&current, &request).await?;
        let screened = self
            .screen_content(&current.seller_id, &content, "listing_id")
            .await?;
        let view = store::update_listing(
            &self.db,
            &current.listing_id,
            current.version,
            &content,
            &screened,
            &actor(who, LISTING_WRITERS),
            self.now(),
        )
        .await?;
        self.wake.wake();
        Ok(pb::UpdateListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }

    /// The listing's content with the fields named in the mask replaced, all checked.
    async fn updated_content(
        &self,
        current: &ListingView,
        request: &pb::UpdateListingRequest,
    ) -> ServiceResult<ListingContent> {
        let mut v = Violations::new();
        let paths: Vec<String> = match &request.update_mask {
            Some(mask) if !mask.paths.is_empty() => mask.paths.clone(),
            _ => UPDATABLE.iter().map(|p| (*p).to_owned()).collect(),
        };
        for (i, p) in paths.iter().enumerate() {
            if !UPDATABLE.contains(&p.as_str()) {
                v.add(
                    format!("update_mask.paths[{i}]"),
                    format!("{p:?} cannot be updated; use {}", UPDATABLE.join(", ")),
                );
            }
        }
        let has = |p: &str| paths.iter().any(|q| q == p);
        let mut content = ListingContent {
            title: current.title.clone(),
            description: current.description.clone(),
            category: current.category.clone(),
            price: current.price.clone(),
            images: current.images.clone(),
        };
        if has("title") {
            let title = request.title.trim();
            if v.require(title, "title") {
                v.max_chars(title, MAX_TITLE_CHARS, "title");
            }
            title.clone_into(&mut content.title);
        }
        if has("description") {
            v.max_chars(&request.description, MAX_DESCRIPTION_CHARS, "description");
            content.description.clone_from(&request.description);
        }
        if has("category") {
            validate::short_required(&mut v, request.category.trim(), "category");
            request.category.trim().clone_into(&mut content.category);
        }
        if has("price")
            && let Some(price) = validate::money(&mut v, request.price.as_ref(), "price")
        {
            content.price = price;
        }
        if has("images") {
            content.images = validate::images(
                &mut v,
                &request.images,
                self.config.max_images,
                self.config.image_limits,
                "images",
            )
            .await?;
        }
        v.finish()?;
        Ok(content)
    }

    pub(super) async fn get_listing(
        &self,
        who: &Principal,
        request: pb::GetListingRequest,
    ) -> ServiceResult<pb::GetListingResponse> {
        validate_id(&request.listing_id, "listing_id")?;
        let view = store::get_listing(&self.db, &request.listing_id).await?;
        if !may_see(who, &view) || self.in_jurisdiction(who, [&view]).await?.is_empty() {
            // Not published and not the caller's, or another jurisdiction's seller: as if it
            // did not exist.
            return Err(ServiceError::not_found("listing", &request.listing_id));
        }
        Ok(pb::GetListingResponse {
            listing: Some(convert::listing(&view)),
        })
    }

    pub(super) async fn list_listings(
        &self,
        who: &Principal,
        request: pb::ListListingsRequest,
    ) -> ServiceResult<pb::ListListingsResponse> {
        let page = PageRequest::parse(request.page_size, &request.page_token)?;
        let status =
            if request.status == 0 {
                None
            } else {
                Some(convert::status_from(request.status).ok_or_else(|| {
                    ServiceError::invalid_field("status", "is not a listing status")
                })?)
            };
        let filter = ListingFilter {
            seller_id: (!request.seller_id.is_empty()).then(|| request.seller_id.clone()),
            status,
            visibility: if sees_everything(who) {
                Visibility::All
            } else {
                Visibility::ActiveOrOwn(who.subject.clone())
            },
        };
        let page = store::list_listings(&self.db, &filter, &page).await?;
        // A regulator's page leaves out other jurisdictions' listings, so it may be short; the
        // page token still goes on from the page's last row.
        let shown = self.in_jurisdiction(who, &page.items).await?;
        Ok(pb::ListListingsResponse {
            listings: shown
                .iter()
                .map(|&i| convert::listing(&page.items[i]))
                .collect(),
            next_page_token: page.next_page_token,
        })
    }

    /// The positions among `listings` that `who` may see by jurisdiction: all of them, but for
    /// a regulator only those of sellers registered in its jurisdiction.
    async fn in_jurisdiction<'a>(
        &self,
        who: &Principal,
        listings: impl IntoIterator<Item = &'a ListingView>,
    ) -> ServiceResult<Vec<usize>> {
        let listings: Vec<&ListingView> = listings.into_iter().collect();
        let Some(jurisdiction) = regulator_jurisdiction(who)? else {
            return Ok((0..listings.len()).collect());
        };
        let known = self
            .jurisdictions
            .of(listings.iter().map(|l| l.seller_id.as_str()))
            .await?;
        Ok(listings
            .iter()
            .enumerate()
            .filter(|(_, l)| known.get(&l.seller_id) == Some(&jurisdiction))
            .map(|(i, _)| i)
            .collect())
    }
}

fn may_see(who: &Principal, listing: &ListingView) -> bool {
    listing.status == ListingStatus::Active
        || sees_everything(who)
        || listing.seller_id == who.subject
}

/// A required id field.
pub(super) fn validate_id(value: &str, field: &str) -> ServiceResult<()> {
    let mut v = Violations::new();
    validate::short_required(&mut v, value, field);
    v.finish()
}
