//! RecordViolation, RetractViolation, RecordInspection, ListViolations, ListInspections,
//! SuspendSeller, ReinstateSeller, and the effects they queue.

use std::time::Duration;

use chrono::TimeDelta;
use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_runtime::clock::Clock;
use tonic::Code;

use crate::support::{As, Running, bad_fields, each_backend, register};

fn violation(
    key: &str,
    seller: &str,
    severity: pb::ViolationSeverity,
) -> pb::RecordViolationRequest {
    pb::RecordViolationRequest {
        violation_key: key.into(),
        seller_id: seller.into(),
        case_id: format!("case-{key}"),
        listing_id: "l-1".into(),
        ground: pb::ViolationGround::TrademarkCounterfeit.into(),
        severity: severity.into(),
        decided_time: None,
    }
}

async fn record(
    running: &Running,
    request: pb::RecordViolationRequest,
) -> pb::RecordViolationResponse {
    running
        .client
        .clone()
        .record_violation(running.req(As::Enforcement, request))
        .await
        .expect("record violation")
        .into_inner()
}

#[tokio::test]
async fn three_upheld_violations_suspend_the_seller_and_queue_the_listing_effect() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-1", "IT").await;
        let mut seen = Vec::new();
        for key in ["case-1", "case-2", "case-3"] {
            let response = record(
                &running,
                violation(key, "s-1", pb::ViolationSeverity::Major),
            )
            .await;
            let standing = response.standing.expect("standing");
            seen.push((standing.active_strikes, standing.warned, standing.suspended));
            let v = response.violation.expect("violation");
            assert_eq!(
                (v.state(), v.recorded_by.expect("actor").role.as_str()),
                (pb::ViolationState::Upheld, "service:enforcement")
            );
        }
        assert_eq!(seen, [(1, false, false), (2, true, false), (3, true, true)]);

        let standing = client
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
        assert_eq!(standing.tier(), pb::SellerTier::Suspended);
        assert!(standing.suspended && !standing.suspension_id.is_empty());
        let end = standing.suspension_end_time.expect("end");
        let expected_end = running.clock.now() + TimeDelta::days(30);
        assert_eq!(end.seconds, expected_end.timestamp());

        let outbox = running.outbox().await;
        let kinds: Vec<(&str, &str)> = outbox
            .iter()
            .map(|(k, key, _)| (k.as_str(), key.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "listing.suspend_seller_listings",
                    standing.suspension_id.as_str()
                ),
                ("reputation.suspension_end", standing.suspension_id.as_str()),
            ]
        );

        // Idempotency: the same key and content is a no-op; other content is refused.
        let replay = record(
            &running,
            violation("case-3", "s-1", pb::ViolationSeverity::Major),
        )
        .await;
        assert_eq!(replay.standing.expect("standing").active_strikes, 3);
        let err = client
            .record_violation(running.req(
                As::Enforcement,
                violation("case-3", "s-1", pb::ViolationSeverity::Minor),
            ))
            .await
            .expect_err("reused key");
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert!(err.message().contains("severity"), "{}", err.message());
        let err = client
            .record_violation(running.req(
                As::Enforcement,
                violation("case-9", "ghost", pb::ViolationSeverity::Minor),
            ))
            .await
            .expect_err("unknown seller");
        assert_eq!(err.code(), Code::NotFound);

        // The appeal is won: the strike goes, and with it the suspension strikes caused.
        let retracted = client
            .retract_violation(running.req(
                As::Admin,
                pb::RetractViolationRequest {
                    violation_key: "case-3".into(),
                    reason: "appeal upheld".into(),
                },
            ))
            .await
            .expect("retract")
            .into_inner();
        let after = retracted.standing.expect("standing");
        assert_eq!((after.active_strikes, after.suspended), (2, false));
        assert_eq!(
            retracted.violation.expect("violation").state(),
            pb::ViolationState::Retracted
        );
        let kinds: Vec<String> = running
            .outbox()
            .await
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        assert_eq!(
            kinds.last().map(String::as_str),
            Some("listing.reinstate_seller_listings")
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn bad_violation_requests_name_every_field() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        let err = client
            .record_violation(running.req(As::Enforcement, pb::RecordViolationRequest::default()))
            .await
            .expect_err("empty");
        assert_eq!(
            bad_fields(&err),
            [
                "violation_key",
                "seller_id",
                "case_id",
                "ground",
                "severity"
            ]
        );
        let mut future = violation("k", "s-1", pb::ViolationSeverity::Minor);
        let later = running.clock.now() + TimeDelta::days(3);
        future.decided_time = Some(prost_types::Timestamp {
            seconds: later.timestamp(),
            nanos: 0,
        });
        let err = client
            .record_violation(running.req(As::Admin, future))
            .await
            .expect_err("future");
        assert_eq!(bad_fields(&err), ["decided_time"]);
        let err = client
            .retract_violation(running.req(As::Enforcement, pb::RetractViolationRequest::default()))
            .await
            .expect_err("empty retraction");
        assert_eq!(bad_fields(&err), ["violation_key", "reason"]);
        let err = client
            .retract_violation(running.req(
                As::Enforcement,
                pb::RetractViolationRequest {
                    violation_key: "nope".into(),
                    reason: "x".into(),
                },
            ))
            .await
            .expect_err("unknown key");
        assert_eq!(err.code(), Code::NotFound);
        running.stop().await;
    }
}

#[tokio::test]
async fn inspections_are_recorded_idempotently_and_histories_are_guarded() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-it", "IT").await;
        let now = running.clock.now();
        let inspection = pb::RecordInspectionRequest {
            request_id: "insp-1".into(),
            seller_id: "s-it".into(),
            agency: String::new(),
            product: "leather bag".into(),
            batch: "B-7".into(),
            result: pb::InspectionResult::Fail.into(),
            inspected_time: Some(prost_types::Timestamp {
                seconds: now.timestamp(),
                nanos: 0,
            }),
            report_ref: "report-1".into(),
        };
        let first = client
            .record_inspection(running.req(As::Regulator(Some("IT")), inspection.clone()))
            .await
            .expect("record")
            .into_inner();
        let recorded = first.inspection.expect("inspection");
        assert_eq!(recorded.agency, "AGCM", "taken from the regulator's token");
        assert_eq!(
            first.standing.expect("standing").score,
            55,
            "pending 80 minus a fresh MAJOR"
        );
        let again = client
            .record_inspection(running.req(As::Regulator(Some("IT")), inspection.clone()))
            .await
            .expect("replay")
            .into_inner();
        assert_eq!(
            again.inspection.expect("inspection").inspection_id,
            recorded.inspection_id
        );
        let mut changed = inspection.clone();
        changed.result = pb::InspectionResult::Pass.into();
        let err = client
            .record_inspection(running.req(As::Regulator(Some("IT")), changed))
            .await
            .expect_err("reused request id");
        assert_eq!(err.code(), Code::AlreadyExists);
        let mut abroad = inspection.clone();
        abroad.request_id = "insp-fr".into();
        let err = client
            .record_inspection(running.req(As::Regulator(Some("FR")), abroad))
            .await
            .expect_err("a seller outside the regulator's jurisdiction");
        assert_eq!(err.code(), Code::PermissionDenied);
        let err = client
            .record_inspection(running.req(As::Admin, pb::RecordInspectionRequest::default()))
            .await
            .expect_err("empty");
        assert_eq!(
            bad_fields(&err),
            [
                "request_id",
                "seller_id",
                "agency",
                "product",
                "result",
                "inspected_time"
            ]
        );

        record(
            &running,
            violation("case-1", "s-it", pb::ViolationSeverity::Minor),
        )
        .await;
        record(
            &running,
            violation("case-2", "s-it", pb::ViolationSeverity::Minor),
        )
        .await;
        let list = |who, page_token: &str| {
            running.req(
                who,
                pb::ListViolationsRequest {
                    seller_id: "s-it".into(),
                    page_size: 1,
                    page_token: page_token.to_owned(),
                },
            )
        };
        let first_page = client
            .list_violations(list(As::Seller("s-it"), ""))
            .await
            .expect("own")
            .into_inner();
        assert_eq!(first_page.violations.len(), 1);
        let second_page = client
            .list_violations(list(As::Regulator(Some("IT")), &first_page.next_page_token))
            .await
            .expect("page 2")
            .into_inner();
        assert_eq!(second_page.violations.len(), 1);
        assert_ne!(
            second_page.violations[0].violation_key,
            first_page.violations[0].violation_key
        );
        for who in [As::Seller("s-other"), As::Regulator(Some("FR"))] {
            let err = client
                .list_violations(list(who.clone(), ""))
                .await
                .expect_err("not theirs");
            assert_eq!(err.code(), Code::PermissionDenied, "{who:?}");
        }
        let inspections = client
            .list_inspections(running.req(
                As::Reviewer,
                pb::ListInspectionsRequest {
                    seller_id: "s-it".into(),
                    ..pb::ListInspectionsRequest::default()
                },
            ))
            .await
            .expect("inspections")
            .into_inner();
        assert_eq!(inspections.inspections.len(), 1);
        assert!(inspections.next_page_token.is_empty());
        running.stop().await;
    }
}

#[tokio::test]
async fn reviewers_suspend_and_reinstate_and_the_period_ends_by_itself() {
    for running in each_backend().await {
        let mut client = running.client.clone();
        register(&running, "s-1", "IT").await;
        let suspend = |reason: &str| {
            running.req(
                As::Reviewer,
                pb::SuspendSellerRequest {
                    seller_id: "s-1".into(),
                    reason: reason.into(),
                    until: None,
                },
            )
        };
        let standing = client
            .suspend_seller(suspend("fraud"))
            .await
            .expect("suspend")
            .into_inner()
            .standing
            .expect("s");
        assert_eq!(standing.tier(), pb::SellerTier::Suspended);
        let err = client
            .suspend_seller(suspend("again"))
            .await
            .expect_err("already suspended");
        assert_eq!(err.code(), Code::FailedPrecondition);
        let reinstate = running.req(
            As::Admin,
            pb::ReinstateSellerRequest {
                seller_id: "s-1".into(),
                reason: "appeal won".into(),
            },
        );
        let back = client
            .reinstate_seller(reinstate)
            .await
            .expect("reinstate")
            .into_inner()
            .standing
            .expect("s");
        assert!(!back.suspended);
        let err = client
            .reinstate_seller(running.req(
                As::Admin,
                pb::ReinstateSellerRequest {
                    seller_id: "s-1".into(),
                    reason: "again".into(),
                },
            ))
            .await
            .expect_err("not suspended");
        assert_eq!(err.code(), Code::FailedPrecondition);

        // A second suspension runs its course: the deadline fires once the clock passes its end.
        let second = client
            .suspend_seller(suspend("repeat"))
            .await
            .expect("suspend")
            .into_inner()
            .standing
            .expect("s");
        running.clock.advance(TimeDelta::days(31));
        let mut reinstated = false;
        for _ in 0..100 {
            let reinstates = running
                .outbox()
                .await
                .into_iter()
                .filter(|(kind, key, _)| {
                    kind == "listing.reinstate_seller_listings" && *key == second.suspension_id
                })
                .count();
            if reinstates == 1 {
                reinstated = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            reinstated,
            "the suspension-end deadline queued the reinstatement"
        );
        let err = client
            .suspend_seller(running.req(As::Reviewer, pb::SuspendSellerRequest::default()))
            .await
            .expect_err("empty");
        assert_eq!(bad_fields(&err), ["seller_id", "reason"]);
        running.stop().await;
    }
}
