//! The `genuine listing` commands against a running service.

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_listing::cli::{Connection, ListingCommand, run};
use genuine_runtime::auth::Role;
use genuine_runtime::config::Source;

use crate::support::{Suite, listing};

#[tokio::test]
async fn import_hashes_and_rescreen() {
    let suite = Suite::start().await;
    suite.reputation.set("s1", 90, true, false);
    let mut client = suite.client.clone();
    let brand = client
        .register_brand(suite.as_admin(pb::RegisterBrandRequest {
            request_id: "b".into(),
            display_name: "Orbis".into(),
            aliases: vec![],
            owner_id: "rh-1".into(),
            reference_prices: vec![],
        }))
        .await
        .expect("brand")
        .into_inner()
        .brand
        .expect("brand");
    let known = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("hashes.csv");
    std::fs::write(
        &file,
        format!(
            "id,hash,type\n1,{known},pdq\n2,{},pdq\n3,{known},pdq\nnot a hash\n",
            "0f".repeat(32)
        ),
    )
    .expect("write");
    let connection = Connection {
        url: Some(suite.url.clone()),
        token: Some(suite.token("admin-1", vec![Role::Admin])),
    };
    let source = Source::default();
    run(
        &source,
        ListingCommand::ImportHashes {
            connection: connection.clone(),
            brand: brand.brand_id.clone(),
            batch: 2,
            file,
        },
    )
    .await
    .expect("import");

    let mut create = listing("s1", "r1", "Canvas tote", 30);
    create.images = vec![pb::ImageInput {
        image: Some(pb::image_input::Image::PdqHash(known.into())),
    }];
    let created = client
        .create_listing(suite.as_seller("s1", create))
        .await
        .expect("create")
        .into_inner()
        .listing
        .expect("listing");
    let signals = created.screening.expect("screening").signals;
    assert_eq!(
        signals[0].code,
        pb::SignalCode::ImageMatchesKnownCounterfeit as i32
    );
    assert_eq!(signals[0].brand_id, brand.brand_id);

    run(
        &source,
        ListingCommand::Rescreen {
            connection,
            page_size: 1,
        },
    )
    .await
    .expect("rescreen");
    suite.stop().await;
}
