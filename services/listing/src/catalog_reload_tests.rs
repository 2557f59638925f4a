//! The periodic reload rebuilds the catalogue when, and only when, the database changed.

use chrono::{DateTime, TimeZone, Utc};
use genuine_runtime::auth::Actor;
use genuine_runtime::storage::testing::TestDatabase;

use super::CatalogReload;
use crate::screening::PdqHash;
use crate::store::{
    Migrator, NewBrand, NewCounterfeitImage, NewTerm, add_counterfeit_images, add_terms,
    authorize_seller, register_brand, revoke_seller,
};

fn at(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, second)
        .single()
        .expect("valid time")
}

#[tokio::test]
async fn reloads_only_after_a_change() {
    for test_db in TestDatabase::all_migrated::<Migrator>().await {
        let db = &test_db.db;
        let mut reload = CatalogReload::load(db.clone()).await.expect("load");
        let catalog = reload.catalog();
        let (_, default_terms, _) = catalog.snapshot().sizes();
        assert!(
            !reload.reload_if_changed().await.expect("reload"),
            "nothing changed"
        );

        let brand = register_brand(
            db,
            NewBrand {
                request_id: "r".into(),
                display_name: "Orbis".into(),
                aliases: vec![],
                owner_id: "rh".into(),
                reference_prices: vec![],
            },
            &Actor::new("admin-1", "admin"),
            at(0),
        )
        .await
        .expect("register");
        assert!(
            reload.reload_if_changed().await.expect("reload"),
            "a new brand"
        );
        assert_eq!(catalog.snapshot().sizes(), (1, default_terms, 0));
        assert!(
            !reload.reload_if_changed().await.expect("reload"),
            "loaded already"
        );

        let hash = NewCounterfeitImage {
            hash: PdqHash([7, 7, 7, 7]),
        };
        add_counterfeit_images(db, &brand.brand_id, &[hash], "rights_holder", "rh", at(1))
            .await
            .expect("add image");
        assert!(
            reload.reload_if_changed().await.expect("reload"),
            "a new hash"
        );
        assert_eq!(catalog.snapshot().sizes(), (1, default_terms, 1));

        let term = NewTerm {
            term: "orbisfake".into(),
            language: "en".into(),
        };
        add_terms(db, vec![term], at(2)).await.expect("add term");
        assert!(
            reload.reload_if_changed().await.expect("reload"),
            "a new term"
        );
        assert_eq!(catalog.snapshot().sizes(), (1, default_terms + 1, 1));
        assert!(
            !reload.reload_if_changed().await.expect("reload"),
            "loaded already"
        );

        // Authorising a seller and revoking it again in the same millisecond leaves counts and
        // change times as they were loaded: each step is still seen.
        authorize_seller(db, &brand.brand_id, "s1", at(2))
            .await
            .expect("authorise");
        assert!(
            reload.reload_if_changed().await.expect("reload"),
            "authorised"
        );
        revoke_seller(db, &brand.brand_id, "s1", at(2))
            .await
            .expect("revoke");
        assert!(reload.reload_if_changed().await.expect("reload"), "revoked");
        assert!(
            !reload.reload_if_changed().await.expect("reload"),
            "loaded already"
        );
    }
}
