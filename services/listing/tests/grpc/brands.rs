//! Brands, authorised sellers, prohibited terms, counterfeit images; their access rules.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::Role;
use tonic::Code;

use crate::support::{Suite, eur, photo};

fn brand_request(request_id: &str, owner: &str) -> pb::RegisterBrandRequest {
    pb::RegisterBrandRequest {
        request_id: request_id.into(),
        display_name: "Luxe Paris".into(),
        aliases: vec!["卢克斯".into()],
        owner_id: owner.into(),
        reference_prices: vec![pb::ReferencePrice {
            category: "handbags".into(),
            price: Some(eur(1000)),
        }],
    }
}

#[tokio::test]
async fn brands_are_registered_read_and_managed_by_their_owner() {
    let suite = Suite::start().await;
    let mut client = suite.client.clone();

    let brand = client
        .register_brand(suite.as_rights_holder("rh-1", brand_request("r1", "rh-1")))
        .await
        .expect("register")
        .into_inner()
        .brand
        .expect("brand");
    assert_eq!(brand.display_name, "Luxe Paris");
    assert_eq!(brand.reference_prices[0].price, Some(eur(1000)));
    let again = client
        .register_brand(suite.as_rights_holder("rh-1", brand_request("r1", "rh-1")))
        .await
        .expect("retry");
    assert_eq!(
        again.into_inner().brand.expect("brand").brand_id,
        brand.brand_id
    );
    let mut changed = brand_request("r1", "rh-1");
    changed.display_name = "Other".into();
    let conflict = client
        .register_brand(suite.as_rights_holder("rh-1", changed))
        .await
        .expect_err("conflict");
    assert_eq!(conflict.code(), Code::AlreadyExists);

    let for_someone_else = client
        .register_brand(suite.as_rights_holder("rh-1", brand_request("r2", "rh-2")))
        .await
        .expect_err("not own");
    assert_eq!(for_someone_else.code(), Code::PermissionDenied);
    let by_seller = client
        .register_brand(suite.as_seller("s1", brand_request("r3", "s1")))
        .await
        .expect_err("seller");
    assert_eq!(by_seller.code(), Code::PermissionDenied);

    let got = client
        .get_brand(suite.as_seller(
            "s1",
            pb::GetBrandRequest {
                brand_id: brand.brand_id.clone(),
            },
        ))
        .await
        .expect("get");
    assert_eq!(got.into_inner().brand.expect("brand").aliases, ["卢克斯"]);
    let missing = client
        .get_brand(suite.as_admin(pb::GetBrandRequest {
            brand_id: "brand-none".into(),
        }))
        .await
        .expect_err("missing");
    assert_eq!(missing.code(), Code::NotFound);
    let listed = client
        .list_brands(suite.as_seller("s1", pb::ListBrandsRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.brands.len(), 1);
    assert!(listed.next_page_token.is_empty());

    let authorize = pb::AuthorizeSellerRequest {
        brand_id: brand.brand_id.clone(),
        seller_id: "s1".into(),
    };
    let authorised = client
        .authorize_seller(suite.as_rights_holder("rh-1", authorize.clone()))
        .await
        .expect("authorise");
    assert_eq!(
        authorised
            .into_inner()
            .brand
            .expect("brand")
            .authorized_seller_ids,
        ["s1"]
    );
    let stranger = client
        .authorize_seller(suite.request("rh-2", vec![Role::RightsHolder], authorize))
        .await
        .expect_err("not the owner");
    assert_eq!(stranger.code(), Code::PermissionDenied);
    let revoked = client
        .revoke_seller_authorization(suite.as_admin(pb::RevokeSellerAuthorizationRequest {
            brand_id: brand.brand_id.clone(),
            seller_id: "s1".into(),
        }))
        .await
        .expect("revoke");
    assert!(
        revoked
            .into_inner()
            .brand
            .expect("brand")
            .authorized_seller_ids
            .is_empty()
    );

    let unauthenticated = client
        .list_brands(tonic::Request::new(pb::ListBrandsRequest::default()))
        .await
        .expect_err("no token");
    assert_eq!(unauthenticated.code(), Code::Unauthenticated);
    suite.stop().await;
}

#[tokio::test]
async fn prohibited_terms_are_admin_only_and_deduplicated() {
    let suite = Suite::start().await;
    let mut client = suite.client.clone();
    let add = pb::AddProhibitedTermsRequest {
        terms: vec![
            pb::ProhibitedTermInput {
                term: "dupe".into(),
                language: "en".into(),
            },
            pb::ProhibitedTermInput {
                term: "R.E.P.L.I.C.A".into(),
                language: "en".into(),
            },
        ],
    };
    let added = client
        .add_prohibited_terms(suite.as_admin(add.clone()))
        .await
        .expect("add")
        .into_inner();
    assert_eq!(
        added.added, 1,
        "replica is in the default vocabulary already"
    );
    let denied = client
        .add_prohibited_terms(suite.as_seller("s1", add))
        .await
        .expect_err("seller");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let first = client
        .list_prohibited_terms(suite.as_admin(pb::ListProhibitedTermsRequest {
            page_size: 5,
            page_token: String::new(),
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(first.terms.len(), 5);
    assert!(!first.next_page_token.is_empty());
    let empty = client
        .add_prohibited_terms(suite.as_admin(pb::AddProhibitedTermsRequest {
            terms: vec![pb::ProhibitedTermInput {
                term: "!!!".into(),
                language: "en".into(),
            }],
        }))
        .await
        .expect_err("no letters");
    assert_eq!(empty.code(), Code::InvalidArgument);
    assert!(
        empty.message().contains("terms[0].term"),
        "{}",
        empty.message()
    );

    // A new term applies to the next screening at once.
    suite.reputation.set("s1", 90, true, false);
    let screened = client
        .screen_listing(suite.as_seller(
            "s1",
            pb::ScreenListingRequest {
                draft: Some(pb::ListingDraft {
                    seller_id: "s1".into(),
                    title: "Great DUPE bag".into(),
                    category: "handbags".into(),
                    price: Some(eur(50)),
                    ..pb::ListingDraft::default()
                }),
            },
        ))
        .await
        .expect("screen")
        .into_inner()
        .screening
        .expect("screening");
    assert_eq!(
        screened.signals[0].code,
        pb::SignalCode::ReplicaVocabulary as i32
    );
    suite.stop().await;
}

#[tokio::test]
async fn counterfeit_images_are_hashed_filtered_and_matched() {
    let suite = Suite::start().await;
    let mut client = suite.client.clone();
    let brand = client
        .register_brand(suite.as_admin(brand_request("r1", "rh-1")))
        .await
        .expect("brand")
        .into_inner()
        .brand
        .expect("brand");
    let flat = {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([90, 90, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    let image = |i: pb::image_input::Image| pb::ImageInput { image: Some(i) };
    let request = pb::AddCounterfeitImagesRequest {
        brand_id: brand.brand_id.clone(),
        images: vec![
            image(pb::image_input::Image::Content(photo(
                7,
                image::ImageFormat::Png,
            ))),
            image(pb::image_input::Image::PdqHash("ab".repeat(32))),
            image(pb::image_input::Image::PdqHash("xyz".into())),
            image(pb::image_input::Image::Content(flat)),
            image(pb::image_input::Image::Content(b"not an image".to_vec())),
        ],
        source: pb::CounterfeitImageSource::RightsHolder as i32,
    };
    let answer = client
        .add_counterfeit_images(suite.as_rights_holder("rh-1", request.clone()))
        .await
        .expect("add")
        .into_inner();
    assert_eq!(answer.added, 2);
    assert_eq!(answer.skipped_low_quality, 1);
    let rejected: Vec<u32> = answer.rejected.iter().map(|r| r.index).collect();
    assert_eq!(rejected, [2, 4]);
    let again = client
        .add_counterfeit_images(suite.as_rights_holder("rh-1", request.clone()))
        .await
        .expect("again")
        .into_inner();
    assert_eq!(again.added, 0, "known hashes are not added twice");
    let stranger = client
        .add_counterfeit_images(suite.request("rh-2", vec![Role::RightsHolder], request.clone()))
        .await
        .expect_err("not the owner");
    assert_eq!(stranger.code(), Code::PermissionDenied);
    let regulator = client
        .add_counterfeit_images(suite.request("agency-1", vec![Role::Regulator], request))
        .await
        .expect("regulators may report");
    assert_eq!(regulator.into_inner().added, 0);

    // The same picture, re-encoded as JPEG by a seller, is recognised.
    suite.reputation.set("s1", 90, true, false);
    let mut create = crate::support::listing("s1", "req-1", "Handbag", 500);
    create.images = vec![image(pb::image_input::Image::Content(photo(
        7,
        image::ImageFormat::Jpeg,
    )))];
    let listing = client
        .create_listing(suite.as_seller("s1", create))
        .await
        .expect("create")
        .into_inner()
        .listing
        .expect("listing");
    assert_eq!(listing.status, pb::ListingStatus::Held as i32);
    let screening = listing.screening.expect("screening");
    assert_eq!(
        screening.signals[0].code,
        pb::SignalCode::ImageMatchesKnownCounterfeit as i32
    );
    assert_eq!(screening.signals[0].brand_id, brand.brand_id);
    assert_eq!(listing.image_pdq_hashes.len(), 1);
    suite.stop().await;
}
