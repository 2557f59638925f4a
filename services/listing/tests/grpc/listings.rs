//! Creating, editing and reading listings: screening outcomes, idempotency, notices to
//! enforcement, visibility.

use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::Role;
use tonic::Code;

use crate::support::{Suite, eur, listing};

async fn create(suite: &Suite, request: pb::CreateListingRequest) -> pb::Listing {
    let seller = request.seller_id.clone();
    let mut client = suite.client.clone();
    client
        .create_listing(suite.as_seller(&seller, request))
        .await
        .expect("create")
        .into_inner()
        .listing
        .expect("listing")
}

async fn luxe(suite: &Suite) -> pb::Brand {
    let mut client = suite.client.clone();
    client
        .register_brand(suite.as_admin(pb::RegisterBrandRequest {
            request_id: "b1".into(),
            display_name: "Luxe Paris".into(),
            aliases: vec!["卢克斯".into()],
            owner_id: "rh-1".into(),
            reference_prices: vec![pb::ReferencePrice {
                category: "handbags".into(),
                price: Some(eur(1000)),
            }],
        }))
        .await
        .expect("brand")
        .into_inner()
        .brand
        .expect("brand")
}

#[tokio::test]
async fn create_is_idempotent_on_request_id() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let first = create(&suite, listing("s1", "req-1", "Brown handbag", 120)).await;
    assert_eq!(first.status, pb::ListingStatus::Active as i32);
    assert_eq!(
        first.screening.as_ref().expect("screening").decision,
        pb::ScreeningDecision::Publish as i32
    );
    let again = create(&suite, listing("s1", "req-1", "Brown handbag", 120)).await;
    assert_eq!(again, first);
    // The retry of a create that succeeded answers the same even once the seller is unknown.
    let known = suite
        .reputation
        .standings
        .lock()
        .expect("lock")
        .remove("s1");
    let late_retry = create(&suite, listing("s1", "req-1", "Brown handbag", 120)).await;
    assert_eq!(late_retry, first);
    suite
        .reputation
        .standings
        .lock()
        .expect("lock")
        .insert("s1".to_owned(), known.expect("s1 was known"));
    let mut client = suite.client.clone();
    let conflict = client
        .create_listing(suite.as_seller("s1", listing("s1", "req-1", "Another bag", 120)))
        .await
        .expect_err("same id, other content");
    assert_eq!(conflict.code(), Code::AlreadyExists);
    assert!(
        conflict.message().contains("req-1"),
        "{}",
        conflict.message()
    );
    let for_other = client
        .create_listing(suite.as_seller("s1", listing("s2", "req-9", "Bag", 10)))
        .await
        .expect_err("other seller");
    assert_eq!(for_other.code(), Code::PermissionDenied);
    let by_consumer = client
        .create_listing(suite.request("c1", vec![Role::Consumer], listing("c1", "r", "Bag", 10)))
        .await
        .expect_err("consumer");
    assert_eq!(by_consumer.code(), Code::PermissionDenied);
    let unknown = client
        .create_listing(suite.as_seller("ghost", listing("ghost", "r", "Bag", 10)))
        .await
        .expect_err("unknown seller");
    assert_eq!(unknown.code(), Code::InvalidArgument);
    assert!(
        unknown.message().contains("seller_id"),
        "{}",
        unknown.message()
    );
    suite.stop().await;
}

#[tokio::test]
async fn screening_decides_and_held_or_blocked_listings_are_reported_to_enforcement() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let brand = luxe(&suite).await;

    let replica = create(&suite, listing("s1", "r1", "AAA quality replica tote", 300)).await;
    assert_eq!(replica.status, pb::ListingStatus::Held as i32);
    let blocked = create(&suite, listing("s1", "r2", "L.u.x.e  P-a-r-i-s bag", 150)).await;
    assert_eq!(blocked.status, pb::ListingStatus::Blocked as i32);
    let codes: Vec<i32> = blocked
        .screening
        .expect("screening")
        .signals
        .iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(
        codes,
        [
            pb::SignalCode::BrandTermUnauthorizedSeller as i32,
            pb::SignalCode::PriceFarBelowReference as i32
        ]
    );

    let notices = suite.notices(2).await;
    assert_eq!(notices.len(), 2, "one notice per held or blocked listing");
    let blocked_notice = notices
        .iter()
        .find(|n| n.listing_ids == [blocked.listing_id.clone()])
        .expect("notice for the blocked listing");
    assert_eq!(
        blocked_notice.source,
        enforcement::NoticeSource::AutomatedDetection as i32
    );
    assert_eq!(
        blocked_notice.brand_id.as_deref(),
        Some(brand.brand_id.as_str())
    );
    assert_eq!(
        blocked_notice
            .automated_detection
            .as_ref()
            .expect("detection")
            .decision,
        "BLOCK"
    );
    assert!(
        blocked_notice.explanation.contains("Luxe Paris"),
        "{}",
        blocked_notice.explanation
    );

    // Once authorised by the brand, the seller may name it.
    let mut client = suite.client.clone();
    client
        .authorize_seller(suite.as_admin(pb::AuthorizeSellerRequest {
            brand_id: brand.brand_id,
            seller_id: "s1".into(),
        }))
        .await
        .expect("authorise");
    let authorised = create(&suite, listing("s1", "r3", "Luxe Paris bag", 150)).await;
    assert_eq!(authorised.status, pb::ListingStatus::Active as i32);
    suite.stop().await;
}

#[tokio::test]
async fn updates_are_rescreened_and_only_by_the_seller() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let held = create(&suite, listing("s1", "r1", "replica tote", 300)).await;
    assert_eq!(held.status, pb::ListingStatus::Held as i32);
    let mut client = suite.client.clone();
    let update = pb::UpdateListingRequest {
        listing_id: held.listing_id.clone(),
        title: "Canvas tote".into(),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["title".into()],
        }),
        ..pb::UpdateListingRequest::default()
    };
    let stranger = client
        .update_listing(suite.as_seller("s2", update.clone()))
        .await
        .expect_err("not the seller");
    assert_eq!(stranger.code(), Code::PermissionDenied);
    let fixed = client
        .update_listing(suite.as_seller("s1", update))
        .await
        .expect("update")
        .into_inner()
        .listing
        .expect("listing");
    assert_eq!(fixed.title, "Canvas tote");
    assert_eq!(
        fixed.price,
        Some(eur(300)),
        "fields outside the mask are kept"
    );
    assert_eq!(fixed.status, pb::ListingStatus::Active as i32);

    let bad_mask = client
        .update_listing(suite.as_seller(
            "s1",
            pb::UpdateListingRequest {
                listing_id: held.listing_id.clone(),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["seller_id".into()],
                }),
                ..pb::UpdateListingRequest::default()
            },
        ))
        .await
        .expect_err("bad path");
    assert_eq!(bad_mask.code(), Code::InvalidArgument);
    assert!(
        bad_mask.message().contains("update_mask.paths[0]"),
        "{}",
        bad_mask.message()
    );

    // A taken-down listing cannot be edited.
    client
        .take_down_listing(suite.as_admin(pb::TakeDownListingRequest {
            listing_id: held.listing_id.clone(),
            case_id: "case-1".into(),
            reason: "upheld".into(),
            ..Default::default()
        }))
        .await
        .expect("take down");
    let frozen = client
        .update_listing(suite.as_seller(
            "s1",
            pb::UpdateListingRequest {
                listing_id: held.listing_id.clone(),
                title: "x".into(),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["title".into()],
                }),
                ..pb::UpdateListingRequest::default()
            },
        ))
        .await
        .expect_err("taken down");
    assert_eq!(frozen.code(), Code::FailedPrecondition);
    suite.stop().await;
}

#[tokio::test]
async fn sellers_see_other_sellers_listings_only_when_active() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    suite.reputation.set("s2", 90, true, false);
    let held = create(&suite, listing("s1", "r1", "replica tote", 300)).await;
    let active = create(&suite, listing("s2", "r2", "Canvas tote", 30)).await;
    let mut client = suite.client.clone();
    let get = |id: &str| pb::GetListingRequest {
        listing_id: id.into(),
    };

    let own = client
        .get_listing(suite.as_seller("s1", get(&held.listing_id)))
        .await
        .expect("own");
    assert_eq!(
        own.into_inner().listing.expect("listing").listing_id,
        held.listing_id
    );
    let hidden = client
        .get_listing(suite.as_seller("s2", get(&held.listing_id)))
        .await
        .expect_err("held, not theirs");
    assert_eq!(hidden.code(), Code::NotFound);
    client
        .get_listing(suite.request("rev-1", vec![Role::Reviewer], get(&held.listing_id)))
        .await
        .expect("reviewers see everything");
    let missing = client
        .get_listing(suite.as_admin(get("lst-none")))
        .await
        .expect_err("missing");
    assert_eq!(missing.code(), Code::NotFound);

    let consumer_view = client
        .list_listings(suite.request(
            "c1",
            vec![Role::Consumer],
            pb::ListListingsRequest::default(),
        ))
        .await
        .expect("list")
        .into_inner();
    let ids: Vec<_> = consumer_view
        .listings
        .iter()
        .map(|l| l.listing_id.clone())
        .collect();
    assert_eq!(ids, std::slice::from_ref(&active.listing_id));
    let held_only = client
        .list_listings(suite.as_admin(pb::ListListingsRequest {
            status: pb::ListingStatus::Held as i32,
            ..pb::ListListingsRequest::default()
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(held_only.listings.len(), 1);
    assert_eq!(held_only.listings[0].listing_id, held.listing_id);
    let paged = client
        .list_listings(suite.as_admin(pb::ListListingsRequest {
            page_size: 1,
            ..pb::ListListingsRequest::default()
        }))
        .await
        .expect("page")
        .into_inner();
    assert_eq!(paged.listings.len(), 1);
    let rest = client
        .list_listings(suite.as_admin(pb::ListListingsRequest {
            page_size: 1,
            page_token: paged.next_page_token,
            ..pb::ListListingsRequest::default()
        }))
        .await
        .expect("next page")
        .into_inner();
    assert_eq!(rest.listings.len(), 1);
    assert_ne!(rest.listings[0].listing_id, paged.listings[0].listing_id);
    suite.stop().await;
}
