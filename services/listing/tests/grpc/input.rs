//! Bad input: INVALID_ARGUMENT naming every bad field at once.

use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::listing::v1 as pb;
use tonic::Code;

use crate::support::{Suite, listing};

#[tokio::test]
async fn every_bad_field_is_named() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let mut client = suite.client.clone();
    let mut request = listing("s1", "", "   ", 10);
    request.description = "x".repeat(20_001);
    request.category = String::new();
    request.price = Some(Money {
        currency_code: "EURO".into(),
        units: -5,
        nanos: 0,
    });
    request.images = vec![
        pb::ImageInput {
            image: Some(pb::image_input::Image::PdqHash("12345".into())),
        },
        pb::ImageInput { image: None },
        pb::ImageInput {
            image: Some(pb::image_input::Image::Content(vec![
                0xff, 0xd8, 0xff, 0x00, 0x01,
            ])),
        },
    ];
    let error = client
        .create_listing(suite.as_seller("s1", request))
        .await
        .expect_err("bad");
    assert_eq!(error.code(), Code::InvalidArgument);
    for field in [
        "request_id",
        "title",
        "description",
        "category",
        "price.currency_code",
        "price.units",
        "images[0].pdq_hash",
        "images[1]",
        "images[2].content",
    ] {
        assert!(
            error.message().contains(field),
            "{field} missing from {}",
            error.message()
        );
    }

    let mut long_title = listing("s1", "r", &"t".repeat(501), 10);
    long_title.images = (0..21)
        .map(|_| pb::ImageInput {
            image: Some(pb::image_input::Image::PdqHash("0".repeat(64))),
        })
        .collect();
    let error = client
        .create_listing(suite.as_seller("s1", long_title))
        .await
        .expect_err("bad");
    assert!(error.message().contains("title"), "{}", error.message());
    assert!(error.message().contains("images"), "{}", error.message());

    let no_price = pb::CreateListingRequest {
        price: None,
        ..listing("s1", "r", "Tote", 1)
    };
    let error = client
        .create_listing(suite.as_seller("s1", no_price))
        .await
        .expect_err("no price");
    assert!(error.message().contains("price"), "{}", error.message());

    let oversized = pb::CreateListingRequest {
        images: vec![pb::ImageInput {
            image: Some(pb::image_input::Image::Content({
                let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
                png.resize(10 * 1024 * 1024 + 1, 0);
                png
            })),
        }],
        ..listing("s1", "r", "Tote", 1)
    };
    let error = client
        .create_listing(suite.as_seller("s1", oversized))
        .await
        .expect_err("too big");
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(
        error.message().contains("images[0].content"),
        "{}",
        error.message()
    );

    let bad_page = client
        .list_listings(suite.as_admin(pb::ListListingsRequest {
            page_token: "not-a-token".into(),
            ..pb::ListListingsRequest::default()
        }))
        .await
        .expect_err("bad token");
    assert_eq!(bad_page.code(), Code::InvalidArgument);
    suite.stop().await;
}
