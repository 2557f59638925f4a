//! Targeted attacks on the gRPC servers: messages above the decode limit (real and announced
//! by a lying length prefix), compressed requests and a gzip bomb, non-ASCII and malformed
//! authorization metadata, image bombs in CreateListing, absurd page sizes on every list RPC,
//! negative money and far-future dates.

use std::io::Write as _;
use std::time::Duration;

use genuine_contracts::genuine::common::v1::Money;
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_runtime::auth::Role;
use genuine_suite_tests::contract::{self, Method};
use genuine_suite_tests::raw_grpc::{self, RawRequest, frame};
use genuine_suite_tests::{Service, authed};
use prost::encoding::{WireType, encode_key, encode_varint};
use tonic::Code;
use tonic::codegen::http::{HeaderName, HeaderValue, header};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt as _;

use crate::images;
use crate::setup::{SELLER, World};

/// `Ok` when `service` answers its health check with SERVING.
pub async fn serving(world: &World, service: Service) -> Result<(), String> {
    let mut health = HealthClient::new(world.suite.channel(service));
    let request = HealthCheckRequest {
        service: String::new(),
    };
    match tokio::time::timeout(Duration::from_secs(30), health.check(request)).await {
        Ok(Ok(reply)) if reply.get_ref().status == 1 => Ok(()),
        other => Err(format!("{} no longer SERVING: {other:?}", service.name())),
    }
}

fn method(name: &str) -> Method {
    contract::methods()
        .into_iter()
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("{name} is not in the contract"))
}

/// The fields named by the status's BadRequest.
fn fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_error_details()
        .bad_request()
        .map(|br| {
            br.field_violations
                .iter()
                .map(|v| v.field.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn assert_names(status: &tonic::Status, field: &str, what: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
    let named = fields(status);
    assert!(
        named.iter().any(|f| f.contains(field)),
        "{what}: the violations {named:?} do not name {field}"
    );
}

async fn all_serving(world: &World) {
    for service in Service::ALL {
        serving(world, service).await.expect("still serving");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_lying_frames_are_refused_before_decoding() {
    let world = World::start().await;
    let panics = crate::panics::count();
    // Real messages above the decode limit (4 MiB by default for reputation and enforcement).
    for name in ["GetSeller", "GetCase"] {
        let method = method(name);
        let token = world.token_for(&method);
        let payload = vec![0x0a; 5 * 1024 * 1024];
        let status = crate::grpc_inputs::send(&world, &method, &token, &payload).await;
        assert!(
            matches!(
                status.code(),
                Code::ResourceExhausted | Code::OutOfRange | Code::InvalidArgument
            ),
            "{name} with 5 MiB: {status:?}"
        );
    }
    // A length prefix announcing 1 GiB over a few bytes, to every service: refused on the
    // announcement, without waiting for (or allocating) the rest.
    for name in ["CreateListing", "RecordInspection", "SubmitNotice"] {
        let method = method(name);
        let token = world.token_for(&method);
        let mut request = RawRequest::message(&method.path, Some(&token), b"");
        let mut body = vec![0_u8];
        body.extend_from_slice(&(1_u32 << 30).to_be_bytes());
        body.extend_from_slice(&[0x0a; 64]);
        request.body = body.into();
        let status = raw_grpc::call(world.suite.channel(method.service), request).await;
        assert!(
            matches!(
                status.code(),
                Code::ResourceExhausted | Code::OutOfRange | Code::InvalidArgument
            ),
            "{name} announcing 1 GiB: {status:?}"
        );
    }
    all_serving(&world).await;
    assert_eq!(crate::panics::count(), panics, "a service panicked");
}

/// 64 MiB of zeros, gzipped to about 64 KiB.
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0_u8; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&zeros).expect("gzip in memory");
    }
    encoder.finish().expect("gzip in memory")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_requests_and_a_gzip_bomb_are_refused_or_bounded() {
    let world = World::start().await;
    let panics = crate::panics::count();
    let bomb = gzip_bomb();
    assert!(bomb.len() < 1024 * 1024, "the bomb is small on the wire");
    let encoding = HeaderName::from_static("grpc-encoding");
    for method in [
        method("GetSeller"),
        method("CreateListing"),
        method("ListCases"),
    ] {
        let token = world.token_for(&method);
        let cases: [(&str, &str, &[u8]); 2] = [
            ("gzip bomb", "gzip", &bomb),
            ("unknown encoding", "br", b"\x0a\x01a"),
        ];
        for (what, grpc_encoding, payload) in cases {
            let mut request = RawRequest::message(&method.path, Some(&token), b"");
            request.body = frame(true, payload).into();
            request.header(encoding.clone(), HeaderValue::from_static(grpc_encoding));
            let status = raw_grpc::call(world.suite.channel(method.service), request).await;
            assert_eq!(
                status.code(),
                Code::Unimplemented,
                "{} {what}: {status:?}",
                method.path
            );
        }
        // A frame flagged compressed with no (or the identity) encoding breaks the framing
        // protocol itself: tonic answers INTERNAL before any service code runs, as the gRPC
        // status-code table prescribes for it. Pinned here so that a change is noticed; the
        // server must stay up.
        for grpc_encoding in [None, Some("identity")] {
            let mut request = RawRequest::message(&method.path, Some(&token), b"");
            request.body = frame(true, b"\x0a\x01a").into();
            if let Some(value) = grpc_encoding {
                request.header(encoding.clone(), HeaderValue::from_static(value));
            }
            let status = raw_grpc::call(world.suite.channel(method.service), request).await;
            assert_eq!(status.code(), Code::Internal, "{}: {status:?}", method.path);
            assert!(
                status.message().contains("compressed-flag"),
                "{}: {status:?}",
                method.path
            );
        }
    }
    all_serving(&world).await;
    assert_eq!(crate::panics::count(), panics, "a service panicked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_authorization_metadata_is_unauthenticated() {
    let world = World::start().await;
    let panics = crate::panics::count();
    let valid = world.suite.token(Role::Admin, "hostile-admin");
    let values: Vec<(&str, HeaderValue)> = vec![
        (
            "invalid UTF-8",
            HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd").expect("obs-text"),
        ),
        (
            "UTF-8, not ASCII",
            HeaderValue::from_bytes("Bearer jéton".as_bytes()).expect("obs-text"),
        ),
        (
            "non-ASCII inside a valid token",
            HeaderValue::from_bytes(format!("Bearer {valid}\u{e9}").as_bytes()).expect("obs-text"),
        ),
        ("empty bearer", HeaderValue::from_static("Bearer ")),
        ("no scheme", HeaderValue::from_str(&valid).expect("ascii")),
        (
            "basic scheme",
            HeaderValue::from_static("Basic YWRtaW46YWRtaW4="),
        ),
        ("three dots", HeaderValue::from_static("Bearer ...")),
        (
            "8 KiB of token",
            HeaderValue::from_str(&format!("Bearer {}", "a".repeat(8 * 1024))).expect("ascii"),
        ),
        (
            "a tab and spaces",
            HeaderValue::from_static("Bearer \t  x.y.z"),
        ),
    ];
    for method in contract::methods() {
        if method.streaming {
            continue;
        }
        for (what, value) in &values {
            let mut request = RawRequest::message(&method.path, None, b"");
            request.header(header::AUTHORIZATION, value.clone());
            let status = raw_grpc::call(world.suite.channel(method.service), request).await;
            assert_eq!(
                status.code(),
                Code::Unauthenticated,
                "{} with {what}: {status:?}",
                method.path
            );
        }
    }
    all_serving(&world).await;
    assert_eq!(crate::panics::count(), panics, "a service panicked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_images_are_invalid_arguments_naming_the_image() {
    let world = World::start().await;
    let panics = crate::panics::count();
    let token = world.suite.token(Role::Seller, SELLER);
    let mut client = world.suite.listing_client();
    for (i, (what, bytes)) in images::hostile_cases().into_iter().enumerate() {
        let request = listing::CreateListingRequest {
            request_id: format!("hostile-image-{i}"),
            seller_id: SELLER.to_owned(),
            title: "Leather handbag".to_owned(),
            description: "A handbag.".to_owned(),
            category: "handbags".to_owned(),
            price: Some(eur(120, 0)),
            images: vec![
                listing::ImageInput {
                    image: Some(listing::image_input::Image::Content(images::png(9))),
                },
                listing::ImageInput {
                    image: Some(listing::image_input::Image::Content(bytes)),
                },
            ],
        };
        let status = client
            .create_listing(authed(request, &token))
            .await
            .expect_err(what);
        assert_names(&status, "images[1]", what);
    }
    // A PDQ hash that is not 64 hex digits is named too.
    let request = listing::CreateListingRequest {
        request_id: "hostile-image-hash".to_owned(),
        seller_id: SELLER.to_owned(),
        title: "Leather handbag".to_owned(),
        description: "A handbag.".to_owned(),
        category: "handbags".to_owned(),
        price: Some(eur(120, 0)),
        images: vec![listing::ImageInput {
            image: Some(listing::image_input::Image::PdqHash("zz".repeat(40))),
        }],
    };
    let status = client
        .create_listing(authed(request, &token))
        .await
        .expect_err("bad hash");
    assert_names(&status, "images[0]", "a malformed PDQ hash");
    all_serving(&world).await;
    assert_eq!(crate::panics::count(), panics, "a service panicked");
}

fn eur(units: i64, nanos: i32) -> Money {
    Money {
        currency_code: "EUR".to_owned(),
        units,
        nanos,
    }
}

/// The request message `method` takes with only `page_size` set to `size`, when it has one.
fn with_page_size(method: &Method, size: i32) -> Option<Vec<u8>> {
    let field = contract::messages()[&method.input]
        .field
        .iter()
        .find(|f| f.name() == "page_size")?;
    let mut out = Vec::new();
    encode_key(
        u32::try_from(field.number()).expect("positive"),
        WireType::Varint,
        &mut out,
    );
    encode_varint(i64::from(size) as u64, &mut out);
    Some(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_page_sizes_are_clamped_or_refused_by_name() {
    let world = World::start().await;
    let mut listed = 0;
    for method in contract::methods() {
        for size in [-1, 0, i32::MIN, i32::MAX, 1_000_000] {
            let Some(payload) = with_page_size(&method, size) else {
                continue;
            };
            let token = world.token_for(&method);
            let status = crate::grpc_inputs::send(&world, &method, &token, &payload).await;
            match status.code() {
                Code::Ok | Code::PermissionDenied | Code::NotFound => {}
                Code::InvalidArgument => {
                    assert_names(&status, "", &format!("{} page_size {size}", method.path));
                }
                _ => panic!("{} page_size {size}: {status:?}", method.path),
            }
            listed += 1;
        }
    }
    assert!(
        listed >= 5 * 8,
        "only {listed} list calls: are the list RPCs found?"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_money_and_far_future_dates_name_their_fields() {
    let world = World::start().await;
    let seller = world.suite.token(Role::Seller, SELLER);
    let mut listings = world.suite.listing_client();
    for (what, price) in [
        ("negative units", eur(-1, 0)),
        ("negative nanos", eur(0, -5)),
        ("mixed signs", eur(5, -5)),
        ("nanos beyond a unit", eur(1, 1_000_000_000)),
        ("most negative units", eur(i64::MIN, 0)),
        (
            "unknown currency",
            Money {
                currency_code: "XYZ".into(),
                units: 5,
                nanos: 0,
            },
        ),
    ] {
        let request = listing::CreateListingRequest {
            request_id: format!("hostile-money-{what}"),
            seller_id: SELLER.to_owned(),
            title: "Leather handbag".to_owned(),
            description: "A handbag.".to_owned(),
            category: "handbags".to_owned(),
            price: Some(price),
            images: Vec::new(),
        };
        let status = listings
            .create_listing(authed(request, &seller))
            .await
            .expect_err(what);
        assert_names(&status, "price", what);
    }

    let regulator = world.suite.regulator_token("hostile-regulator", "DE");
    let mut reputation = world.suite.reputation_client();
    for (what, seconds) in [
        ("year 2100", 4_102_444_800_i64),
        ("year 9999", 253_402_300_799),
        ("beyond year 9999", 253_402_300_800),
        ("i64::MAX seconds", i64::MAX),
        ("before year 1", -62_135_596_801),
    ] {
        let request = reputation::RecordInspectionRequest {
            request_id: format!("hostile-date-{what}"),
            seller_id: SELLER.to_owned(),
            agency: String::new(),
            product: "Handbag".to_owned(),
            batch: "B1".to_owned(),
            result: reputation::InspectionResult::Fail as i32,
            inspected_time: Some(prost_types::Timestamp { seconds, nanos: 0 }),
            report_ref: "R-1".to_owned(),
        };
        let status = reputation
            .record_inspection(authed(request, &regulator))
            .await
            .expect_err(what);
        assert_names(&status, "inspected_time", what);
    }
    all_serving(&world).await;
}
