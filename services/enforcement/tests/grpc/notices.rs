//! Submitting notices: completeness, listings, idempotency, and who may file what.

use genuine_contracts::genuine::enforcement::v1 as pb;
use tonic::Code;

use crate::support::{As, Running, code, fields};

#[tokio::test]
async fn an_incomplete_notice_names_every_missing_field() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let empty = pb::SubmitNoticeRequest {
            source: pb::NoticeSource::RightsHolder.into(),
            ..pb::SubmitNoticeRequest::default()
        };
        let status = client
            .submit_notice(running.req(As::RightsHolder("brand-1"), empty))
            .await
            .expect_err("incomplete");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            fields(&status),
            [
                "request_id",
                "ground",
                "listing_ids",
                "explanation",
                "notifier.name",
                "notifier.email",
                "notifier.notifier_id",
                "good_faith_declaration"
            ]
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn unknown_listings_are_not_found_by_name() {
    for running in Running::all().await {
        let notice = Running::notice("r1", "brand-1", &["l-1", "x-404", "y-405"]);
        let status = running
            .client
            .clone()
            .submit_notice(running.req(As::RightsHolder("brand-1"), notice))
            .await
            .expect_err("unknown listings");
        assert_eq!(status.code(), Code::NotFound);
        assert!(
            status.message().contains("x-404") && status.message().contains("y-405"),
            "{}",
            status.message()
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn a_retry_answers_the_same_notice_and_a_reused_id_conflicts() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let notice = Running::notice("r1", "brand-1", &["l-1", "l-2"]);
        let first = client
            .submit_notice(running.req(As::RightsHolder("brand-1"), notice.clone()))
            .await
            .expect("ok");
        let again = client
            .submit_notice(running.req(As::RightsHolder("brand-1"), notice))
            .await
            .expect("replay");
        let (first, again) = (
            first.into_inner().notice.expect("notice"),
            again.into_inner().notice.expect("notice"),
        );
        assert_eq!(first.notice_id, again.notice_id);
        assert_eq!(first.case_ids.len(), 2);
        assert!(first.receipt_time.is_some());
        let changed = Running::notice("r1", "brand-1", &["l-3"]);
        let conflict = client
            .submit_notice(running.req(As::RightsHolder("brand-1"), changed))
            .await;
        assert_eq!(code(conflict), Code::AlreadyExists);
        running.stop().await;
    }
}

#[tokio::test]
async fn callers_file_only_what_their_role_allows() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let notice = Running::notice("r1", "brand-1", &["l-1"]);
        assert_eq!(
            code(
                client
                    .submit_notice(running.req(As::Nobody, notice.clone()))
                    .await
            ),
            Code::Unauthenticated
        );
        assert_eq!(
            code(
                client
                    .submit_notice(running.req(As::Seller("seller-1"), notice.clone()))
                    .await
            ),
            Code::PermissionDenied
        );

        // A consumer may not file as a rights holder, nor under someone else's id.
        let as_consumer = client
            .submit_notice(running.req(As::Consumer("brand-1"), notice.clone()))
            .await;
        assert_eq!(code(as_consumer), Code::PermissionDenied);
        let other_id = client
            .submit_notice(running.req(As::RightsHolder("brand-2"), notice.clone()))
            .await;
        assert_eq!(code(other_id), Code::PermissionDenied);

        // The listing service files only automated detection.
        let mut automated = notice.clone();
        automated.source = pb::NoticeSource::AutomatedDetection.into();
        automated.automated_detection = Some(pb::AutomatedDetection {
            risk_score: 92,
            decision: "BLOCK".into(),
            signals: vec!["replica".into()],
        });
        assert_eq!(
            code(
                client
                    .submit_notice(running.req(As::Listing, notice.clone()))
                    .await
            ),
            Code::PermissionDenied
        );
        let accepted = client
            .submit_notice(running.req(As::Listing, automated))
            .await
            .expect("own initiative");
        let case_id = accepted
            .into_inner()
            .notice
            .expect("notice")
            .case_ids
            .remove(0);
        assert_eq!(
            running.case(&case_id).await.source,
            i32::from(pb::NoticeSource::AutomatedDetection)
        );

        // A regulator files for its own jurisdiction only.
        let mut regulator = Running::notice("g1", "bnetza", &["l-2"]);
        regulator.source = pb::NoticeSource::Regulator.into();
        regulator.jurisdiction = "FR".into();
        let foreign = client
            .submit_notice(running.req(As::Regulator("bnetza", Some("DE")), regulator.clone()))
            .await;
        assert_eq!(code(foreign), Code::PermissionDenied);
        regulator.jurisdiction = "DE".into();
        client
            .submit_notice(running.req(As::Regulator("bnetza", Some("DE")), regulator))
            .await
            .expect("own jurisdiction");
        running.stop().await;
    }
}

#[tokio::test]
async fn parties_and_regulators_see_only_their_cases() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        let get = |who| {
            running.req(
                who,
                pb::GetCaseRequest {
                    case_id: case_id.clone(),
                },
            )
        };
        let seller_view = client
            .get_case(get(As::Seller("seller-1")))
            .await
            .expect("own case")
            .into_inner();
        assert!(seller_view.r#case.expect("case").redacted);
        assert_eq!(
            code(client.get_case(get(As::Seller("seller-2"))).await),
            Code::PermissionDenied
        );
        assert!(
            client
                .get_case(get(As::RightsHolder("brand-1")))
                .await
                .is_ok()
        );
        assert_eq!(
            code(client.get_case(get(As::RightsHolder("brand-2"))).await),
            Code::PermissionDenied
        );
        assert!(
            client
                .get_case(get(As::Regulator("bnetza", Some("DE"))))
                .await
                .is_ok()
        );
        assert_eq!(
            code(
                client
                    .get_case(get(As::Regulator("dgccrf", Some("FR"))))
                    .await
            ),
            Code::PermissionDenied
        );

        let listed = client
            .list_cases(running.req(As::Seller("seller-2"), pb::ListCasesRequest::default()))
            .await
            .expect("list")
            .into_inner();
        assert!(
            listed.cases.is_empty(),
            "another seller's cases are not listed"
        );
        let own = client
            .list_cases(running.req(As::RightsHolder("brand-1"), pb::ListCasesRequest::default()))
            .await
            .expect("list")
            .into_inner();
        assert_eq!(own.cases.len(), 1);
        let denied = client
            .decide_case(running.req(As::Seller("seller-1"), pb::DecideCaseRequest::default()))
            .await;
        assert_eq!(code(denied), Code::PermissionDenied);
        running.stop().await;
    }
}
