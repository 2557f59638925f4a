//! RegisterBrand, GetBrand, ListBrands, AuthorizeSeller, RevokeSellerAuthorization,
//! AddCounterfeitImages. Each change is applied to the live screening catalogue after it
//! commits.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_contracts::genuine::listing::v1::image_input::Image;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use super::listings::validate_id;
use super::policy::BRAND_REGISTRARS;
use super::validate::{self, Given, MAX_SHORT_CHARS, hash_all};
use super::{ListingApi, actor, convert};
use crate::screening::PdqHash;
use crate::screening::normalize::normalize;
use crate::store::{self, BrandView, NewBrand, NewCounterfeitImage, PageRequest};

/// Aliases per brand.
const MAX_ALIASES: usize = 50;
/// Reference prices per brand.
const MAX_REFERENCE_PRICES: usize = 200;

impl ListingApi {
    pub(super) async fn register_brand(
        &self,
        who: &Principal,
        request: pb::RegisterBrandRequest,
    ) -> ServiceResult<pb::RegisterBrandResponse> {
        if !who.has_role(Role::Admin) && request.owner_id != who.subject {
            return Err(ServiceError::permission_denied(
                "rights holders may register brands they own only (owner_id must be your subject)",
            ));
        }
        let mut v = Violations::new();
        validate::short_required(&mut v, &request.request_id, "request_id");
        validate::short_required(&mut v, &request.owner_id, "owner_id");
        let name = request.display_name.trim();
        if validate_name(&mut v, name, "display_name") {
            v.check(
                !normalize(name).is_empty(),
                "display_name",
                "must contain letters or digits",
            );
        }
        if v.check(
            request.aliases.len() <= MAX_ALIASES,
            "aliases",
            format!("at most {MAX_ALIASES} aliases"),
        ) {
            for (i, alias) in request.aliases.iter().enumerate() {
                let field = format!("aliases[{i}]");
                if validate_name(&mut v, alias.trim(), field.clone()) {
                    v.check(
                        !normalize(alias).is_empty(),
                        field,
                        "must contain letters or digits",
                    );
                }
            }
        }
        let mut prices = Vec::new();
        if v.check(
            request.reference_prices.len() <= MAX_REFERENCE_PRICES,
            "reference_prices",
            format!("at most {MAX_REFERENCE_PRICES} reference prices"),
        ) {
            for (i, rp) in request.reference_prices.iter().enumerate() {
                validate::short_required(
                    &mut v,
                    rp.category.trim(),
                    format!("reference_prices[{i}].category"),
                );
                if let Some(price) = validate::money(
                    &mut v,
                    rp.price.as_ref(),
                    &format!("reference_prices[{i}].price"),
                ) {
                    prices.push((rp.category.trim().to_owned(), price));
                }
            }
        }
        v.finish()?;
        let new = NewBrand {
            request_id: request.request_id,
            display_name: name.to_owned(),
            aliases: request
                .aliases
                .iter()
                .map(|a| a.trim().to_owned())
                .collect(),
            owner_id: request.owner_id,
            reference_prices: prices,
        };
        let brand =
            store::register_brand(&self.db, new, &actor(who, BRAND_REGISTRARS), self.now()).await?;
        self.refresh_brand(&brand);
        Ok(pb::RegisterBrandResponse {
            brand: Some(convert::brand(&brand)),
        })
    }

    pub(super) async fn get_brand(
        &self,
        request: pb::GetBrandRequest,
    ) -> ServiceResult<pb::GetBrandResponse> {
        validate_id(&request.brand_id, "brand_id")?;
        let brand = store::get_brand(&self.db, &request.brand_id).await?;
        Ok(pb::GetBrandResponse {
            brand: Some(convert::brand(&brand)),
        })
    }

    pub(super) async fn list_brands(
        &self,
        request: pb::ListBrandsRequest,
    ) -> ServiceResult<pb::ListBrandsResponse> {
        let page = PageRequest::parse(request.page_size, &request.page_token)?;
        let page = store::list_brands(&self.db, &page).await?;
        Ok(pb::ListBrandsResponse {
            brands: page.items.iter().map(convert::brand).collect(),
            next_page_token: page.next_page_token,
        })
    }

    pub(super) async fn authorize_seller(
        &self,
        who: &Principal,
        brand_id: &str,
        seller_id: &str,
        authorize: bool,
    ) -> ServiceResult<BrandView> {
        let mut v = Violations::new();
        validate::short_required(&mut v, brand_id, "brand_id");
        validate::short_required(&mut v, seller_id, "seller_id");
        v.finish()?;
        self.require_owner(who, brand_id).await?;
        let brand = if authorize {
            store::authorize_seller(&self.db, brand_id, seller_id, self.now()).await?
        } else {
            store::revoke_seller(&self.db, brand_id, seller_id, self.now()).await?
        };
        self.refresh_brand(&brand);
        Ok(brand)
    }

    pub(super) async fn add_counterfeit_images(
        &self,
        who: &Principal,
        request: pb::AddCounterfeitImagesRequest,
    ) -> ServiceResult<pb::AddCounterfeitImagesResponse> {
        let mut v = Violations::new();
        validate::short_required(&mut v, &request.brand_id, "brand_id");
        let max = self.config.max_counterfeit_images;
        v.check(
            !request.images.is_empty(),
            "images",
            "give at least one image",
        );
        v.check(
            request.images.len() <= max,
            "images",
            format!("at most {max} images per call"),
        );
        let source = source_name(who, request.source);
        v.check(
            source.is_some(),
            "source",
            "is not a counterfeit image source",
        );
        v.finish()?;
        if who.has_role(Role::RightsHolder) && !who.has_any(&[Role::Admin, Role::Regulator]) {
            self.require_owner(who, &request.brand_id).await?;
        } else {
            store::get_brand(&self.db, &request.brand_id).await?;
        }
        let mut rejected = Vec::new();
        let mut given = Vec::new();
        for (i, image) in request.images.into_iter().enumerate() {
            match image.image {
                None => rejected.push(reject(i, "give content (PNG/JPEG bytes) or pdq_hash")),
                Some(Image::PdqHash(text)) => match PdqHash::from_hex(&text) {
                    Ok(hash) => given.push((i, Given::Hash(hash))),
                    Err(e) => rejected.push(reject(i, &e.0)),
                },
                Some(Image::Content(bytes)) => given.push((i, Given::Bytes(bytes))),
            }
        }
        let mut good = Vec::new();
        let mut skipped_low_quality = 0_u32;
        for (i, result) in hash_all(given, self.config.image_limits).await? {
            match result {
                Ok(h) if h.quality < self.config.screening.min_image_quality => {
                    skipped_low_quality += 1
                }
                Ok(h) => good.push(NewCounterfeitImage { hash: h.hash }),
                Err(e) => rejected.push(reject(i, &e.to_string())),
            }
        }
        rejected.sort_by_key(|r| r.index);
        let added = store::add_counterfeit_images(
            &self.db,
            &request.brand_id,
            &good,
            source.unwrap_or("platform"),
            &who.subject,
            self.now(),
        )
        .await?;
        let count = u32::try_from(added.len()).unwrap_or(u32::MAX);
        self.catalog.add_images(
            added
                .into_iter()
                .map(|h| (h, request.brand_id.clone()))
                .collect(),
        );
        Ok(pb::AddCounterfeitImagesResponse {
            added: count,
            skipped_low_quality,
            rejected,
        })
    }

    /// `PERMISSION_DENIED` unless `who` is an admin or the brand's owner; `NOT_FOUND` for an
    /// unknown brand.
    async fn require_owner(&self, who: &Principal, brand_id: &str) -> ServiceResult<BrandView> {
        let brand = store::get_brand(&self.db, brand_id).await?;
        if !who.has_role(Role::Admin) && brand.owner_id != who.subject {
            return Err(ServiceError::permission_denied(format!(
                "only the owner of brand {brand_id} may change it"
            )));
        }
        Ok(brand)
    }

    fn refresh_brand(&self, brand: &BrandView) {
        if let Err(error) = self.catalog.upsert_brand(brand.profile()) {
            // The brand is stored; the next catalogue reload picks it up.
            tracing::error!(%error, brand_id = %brand.brand_id, "screening catalogue not updated");
        }
    }
}

fn validate_name(v: &mut Violations, value: &str, field: impl Into<String>) -> bool {
    let field = field.into();
    v.require(value, field.clone()) && v.max_chars(value, MAX_SHORT_CHARS, field)
}

fn reject(index: usize, reason: &str) -> pb::RejectedImage {
    pb::RejectedImage {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        reason: reason.to_owned(),
    }
}

/// The stored source name: as given, or by default the caller's capacity.
fn source_name(who: &Principal, source: i32) -> Option<&'static str> {
    match pb::CounterfeitImageSource::try_from(source).ok()? {
        pb::CounterfeitImageSource::Unspecified => Some(if who.has_role(Role::Regulator) {
            "regulator"
        } else if who.has_role(Role::RightsHolder) {
            "rights_holder"
        } else {
            "platform"
        }),
        pb::CounterfeitImageSource::RightsHolder => Some("rights_holder"),
        pb::CounterfeitImageSource::Regulator => Some("regulator"),
        pb::CounterfeitImageSource::HashSharing => Some("hash_sharing"),
        pb::CounterfeitImageSource::Platform => Some("platform"),
    }
}
