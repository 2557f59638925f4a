//! RegisterSeller, VerifySeller, GetSeller, ListSellers, GetSellerStanding,
//! BatchGetSellerStandings.

use genuine_contracts::genuine::reputation::v1 as pb;
use tonic::Code;

use crate::support::{As, bad_fields, each_backend, register, registration};

#[tokio::test]
async fn a_seller_registers_itself_idempotently_and_is_verified() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        let request = registration("req-1", "", "it");
        let first = client
            .register_seller(running.req(As::Seller("s-it-1"), request.clone()))
            .await
            .expect("register")
            .into_inner()
            .seller
            .expect("seller");
        assert_eq!(first.seller_id, "s-it-1", "a seller's id is its subject");
        assert_eq!(first.verification_status(), pb::VerificationStatus::Pending);
        let trace = first.traceability.clone().expect("own traceability data");
        assert_eq!(trace.phone, "+390551234567");
        assert_eq!(trace.address.expect("address").country_code, "IT");
        assert_eq!(first.registered_by.clone().expect("actor").role, "seller");

        let replay = client
            .register_seller(running.req(As::Seller("s-it-1"), request.clone()))
            .await
            .expect("replay")
            .into_inner()
            .seller
            .expect("seller");
        assert_eq!(replay.seller_id, first.seller_id);
        assert_eq!(replay.create_time, first.create_time);

        let mut changed = request.clone();
        changed.legal_name = "Someone Else".into();
        let err = client
            .register_seller(running.req(As::Seller("s-it-1"), changed))
            .await
            .expect_err("same request id, other content");
        assert_eq!(err.code(), Code::AlreadyExists);
        assert!(err.message().contains("req-1"), "{}", err.message());

        let mut other = registration("req-2", "s-someone-else", "IT");
        other.seller_id = "s-someone-else".into();
        let err = client
            .register_seller(running.req(As::Seller("s-it-1"), other))
            .await
            .expect_err("registering another seller");
        assert_eq!(err.code(), Code::PermissionDenied);

        let verified = client
            .verify_seller(running.req(
                As::Admin,
                pb::VerifySellerRequest {
                    seller_id: "s-it-1".into(),
                    outcome: pb::VerificationOutcome::Verified.into(),
                    note: "trade register checked".into(),
                },
            ))
            .await
            .expect("verify")
            .into_inner()
            .seller
            .expect("seller");
        let standing = verified.standing.expect("standing");
        assert_eq!(
            standing.verification_status(),
            pb::VerificationStatus::Verified
        );
        assert_eq!(
            (standing.score, standing.tier()),
            (100, pb::SellerTier::Trusted)
        );
        assert_eq!(verified.verification_note, "trade register checked");

        let err = client
            .verify_seller(running.req(
                As::Admin,
                pb::VerifySellerRequest {
                    seller_id: "ghost".into(),
                    outcome: pb::VerificationOutcome::Rejected.into(),
                    note: String::new(),
                },
            ))
            .await
            .expect_err("unknown seller");
        assert_eq!(err.code(), Code::NotFound);
        running.stop().await;
    }
}

#[tokio::test]
async fn traceability_data_is_shown_only_to_those_entitled() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-it", "IT").await;
        register(&running, "s-de", "DE").await;
        let get = |who| {
            running.req(
                who,
                pb::GetSellerRequest {
                    seller_id: "s-it".into(),
                },
            )
        };

        for who in [
            As::Admin,
            As::Reviewer,
            As::Regulator(Some("IT")),
            As::Seller("s-it"),
        ] {
            let seller = client
                .get_seller(get(who.clone()))
                .await
                .expect("get")
                .into_inner()
                .seller
                .expect("seller");
            assert!(
                seller.traceability.is_some(),
                "{who:?} sees traceability data"
            );
        }
        for who in [As::Seller("s-de"), As::Consumer, As::Listing] {
            let seller = client
                .get_seller(get(who.clone()))
                .await
                .expect("get")
                .into_inner()
                .seller
                .expect("seller");
            assert!(
                seller.traceability.is_none(),
                "{who:?} sees only the public part"
            );
            assert_eq!(seller.display_name, "Shop s-it");
            assert!(seller.standing.is_some());
            assert!(seller.registered_by.is_none() && seller.verification_note.is_empty());
        }
        let identity = client
            .get_seller(get(As::Enforcement))
            .await
            .expect("get")
            .into_inner()
            .seller
            .expect("seller")
            .traceability
            .expect("enforcement gets the trader's identity (DSA Art. 32)");
        assert_eq!(identity.legal_name, "Rossi Pelletteria S.r.l.");
        assert!(identity.id_document_ref.is_empty() && identity.payment_account_ref.is_empty());
        let err = client
            .get_seller(get(As::Regulator(Some("DE"))))
            .await
            .expect_err("other jurisdiction");
        assert_eq!(err.code(), Code::PermissionDenied);
        let err = client
            .get_seller(running.req(
                As::Admin,
                pb::GetSellerRequest {
                    seller_id: "ghost".into(),
                },
            ))
            .await
            .expect_err("unknown");
        assert_eq!(err.code(), Code::NotFound);
        running.stop().await;
    }
}

#[tokio::test]
async fn lists_are_limited_to_what_the_caller_may_read_and_page() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        for (id, country) in [("s-1", "IT"), ("s-2", "DE"), ("s-3", "IT"), ("s-4", "IT")] {
            register(&running, id, country).await;
        }
        let list = |who, page_size, page_token: &str| {
            running.req(
                who,
                pb::ListSellersRequest {
                    page_size,
                    page_token: page_token.to_owned(),
                    ..pb::ListSellersRequest::default()
                },
            )
        };
        let ids = |r: &pb::ListSellersResponse| {
            r.sellers
                .iter()
                .map(|s| s.seller_id.clone())
                .collect::<Vec<_>>()
        };

        let first = client
            .list_sellers(list(As::Regulator(Some("IT")), 2, ""))
            .await
            .expect("page 1")
            .into_inner();
        assert_eq!(ids(&first), ["s-1", "s-3"]);
        let second = client
            .list_sellers(list(As::Regulator(Some("IT")), 2, &first.next_page_token))
            .await
            .expect("page 2")
            .into_inner();
        assert_eq!(
            (ids(&second), second.next_page_token.as_str()),
            (vec!["s-4".to_owned()], "")
        );

        let own = client
            .list_sellers(list(As::Seller("s-2"), 10, ""))
            .await
            .expect("own")
            .into_inner();
        assert_eq!(ids(&own), ["s-2"]);
        let all = client
            .list_sellers(list(As::Reviewer, 10, ""))
            .await
            .expect("all")
            .into_inner();
        assert_eq!(all.sellers.len(), 4);

        let pending = running.req(
            As::Admin,
            pb::ListSellersRequest {
                tier: pb::SellerTier::Good.into(),
                verification_status: pb::VerificationStatus::Pending.into(),
                ..pb::ListSellersRequest::default()
            },
        );
        assert_eq!(
            client
                .list_sellers(pending)
                .await
                .expect("filtered")
                .into_inner()
                .sellers
                .len(),
            4
        );
        let trusted = running.req(
            As::Admin,
            pb::ListSellersRequest {
                tier: pb::SellerTier::Trusted.into(),
                ..pb::ListSellersRequest::default()
            },
        );
        assert!(
            client
                .list_sellers(trusted)
                .await
                .expect("none")
                .into_inner()
                .sellers
                .is_empty()
        );

        let err = client
            .list_sellers(list(As::Admin, -1, "junk!"))
            .await
            .expect_err("bad page");
        assert_eq!(bad_fields(&err), ["page_size", "page_token"]);
        let err = client
            .list_sellers(list(As::Regulator(None), 10, ""))
            .await
            .expect_err("no jurisdiction");
        assert_eq!(err.code(), Code::PermissionDenied);
        running.stop().await;
    }
}

#[tokio::test]
async fn any_authenticated_caller_reads_standings_one_or_many() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-1", "IT").await;
        register(&running, "s-2", "FR").await;
        let one = client
            .get_seller_standing(running.req(
                As::Listing,
                pb::GetSellerStandingRequest {
                    seller_id: "s-1".into(),
                },
            ))
            .await
            .expect("standing")
            .into_inner()
            .standing
            .expect("standing");
        assert_eq!(
            (one.seller_id.as_str(), one.score, one.tier()),
            ("s-1", 80, pb::SellerTier::Good)
        );
        assert!(one.update_time.is_some());

        let batch = client
            .batch_get_seller_standings(running.req(
                As::Consumer,
                pb::BatchGetSellerStandingsRequest {
                    seller_ids: vec!["s-2".into(), "ghost".into(), "s-1".into(), "ghost".into()],
                },
            ))
            .await
            .expect("batch")
            .into_inner();
        let ids: Vec<&str> = batch
            .standings
            .iter()
            .map(|s| s.seller_id.as_str())
            .collect();
        assert_eq!(ids, ["s-2", "s-1"]);
        assert_eq!(batch.missing_seller_ids, ["ghost"]);

        let too_many = pb::BatchGetSellerStandingsRequest {
            seller_ids: (0..1001).map(|i| format!("s-{i}")).collect(),
        };
        let err = client
            .batch_get_seller_standings(running.req(As::Listing, too_many))
            .await
            .expect_err("too many");
        assert_eq!(bad_fields(&err), ["seller_ids"]);
        let err = client
            .batch_get_seller_standings(running.req(
                As::Listing,
                pb::BatchGetSellerStandingsRequest {
                    seller_ids: vec!["ok".into(), " ".into()],
                },
            ))
            .await
            .expect_err("blank id");
        assert_eq!(bad_fields(&err), ["seller_ids[1]"]);
        running.stop().await;
    }
}

#[tokio::test]
async fn bad_registrations_name_every_field() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        let err = client
            .register_seller(running.req(As::Admin, pb::RegisterSellerRequest::default()))
            .await
            .expect_err("empty");
        assert_eq!(
            bad_fields(&err),
            [
                "request_id",
                "legal_name",
                "display_name",
                "trade_register_name",
                "trade_register_number",
                "id_document_ref",
                "payment_account_ref",
                "email",
                "phone",
                "self_certified",
                "address.lines",
                "address.city",
                "address.country_code",
            ]
        );
        let mut malformed = registration("req-x", "s-x", "XX");
        malformed.email = "not an email".into();
        malformed.phone = "055 123".into();
        malformed.self_certified = false;
        let err = client
            .register_seller(running.req(As::Admin, malformed))
            .await
            .expect_err("malformed");
        assert_eq!(
            bad_fields(&err),
            ["email", "phone", "self_certified", "address.country_code"]
        );
        running.stop().await;
    }
}
