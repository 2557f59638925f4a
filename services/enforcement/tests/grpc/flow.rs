//! The case workflow through the API: measures, counter-notice window, legal action, appeals,
//! the state machine's refusals, and a restart in the middle of a window.

use chrono::Duration;
use genuine_contracts::genuine::enforcement::v1 as pb;
use tonic::Code;

use crate::support::{As, Running, code};

fn status(case: &pb::Case) -> pb::CaseStatus {
    pb::CaseStatus::try_from(case.status).expect("known status")
}

#[tokio::test]
async fn uphold_takes_down_and_records_a_violation_with_a_statement() {
    for running in Running::all().await {
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        assert!(
            running.peers.keys("TakeDownListing").is_empty(),
            "an unproven rights holder waits for review"
        );
        let case = running.uphold("rev-1", &case_id).await;
        assert_eq!(status(&case), pb::CaseStatus::ActionTaken);
        assert_eq!(
            running.delivered("TakeDownListing", 1).await,
            std::slice::from_ref(&case_id)
        );
        assert_eq!(
            running.delivered("RecordViolation", 1).await,
            std::slice::from_ref(&case_id)
        );
        assert_eq!(running.delivered("GetSeller", 1).await, ["seller-1"]);

        let statement_id = case
            .statement_of_reasons_ids
            .first()
            .expect("statement")
            .clone();
        let statement = running
            .client
            .clone()
            .get_statement_of_reasons(running.req(
                As::Seller("seller-1"),
                pb::GetStatementOfReasonsRequest {
                    statement_of_reasons_id: statement_id,
                },
            ))
            .await
            .expect("the seller reads its statement")
            .into_inner()
            .statement_of_reasons
            .expect("statement");
        assert_eq!(
            statement.decision_visibility,
            [i32::from(pb::DecisionVisibility::ContentRemoved)]
        );
        assert_eq!(statement.content_type, i32::from(pb::ContentType::Product));
        assert!(statement.puid.starts_with("genuine-sor-"));
        assert_eq!(statement.territorial_scope.len(), 30);

        // Buyer information appears once the trader was looked up.
        let mut buyers = Vec::new();
        for _ in 0..100 {
            buyers = running
                .client
                .clone()
                .list_buyer_notifications(
                    running.req(As::Reputation, pb::ListBuyerNotificationsRequest::default()),
                )
                .await
                .expect("list")
                .into_inner()
                .buyer_notifications;
            if !buyers.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(buyers.len(), 1);
        assert_eq!(
            buyers[0].trader.as_ref().expect("trader").name,
            "Shop One GmbH"
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn disallowed_transitions_are_failed_precondition_naming_the_status() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        let counter = pb::SubmitCounterNoticeRequest {
            case_id: case_id.clone(),
            declaration: "genuine".into(),
            evidence_urls: vec![],
        };
        let early = client
            .submit_counter_notice(running.req(As::Seller("seller-1"), counter))
            .await
            .expect_err("open");
        assert_eq!(early.code(), Code::FailedPrecondition);
        assert!(early.message().contains("OPEN"), "{}", early.message());
        running.uphold("rev-1", &case_id).await;
        let twice = pb::DecideCaseRequest {
            case_id: case_id.clone(),
            outcome: pb::CaseOutcome::Reject.into(),
            explanation: "changed my mind".into(),
            severity: 0,
        };
        let status = client
            .decide_case(running.req(As::Reviewer("rev-2"), twice))
            .await
            .expect_err("decided");
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(
            status.message().contains("ACTION_TAKEN"),
            "{}",
            status.message()
        );
        let missing = pb::DecideCaseRequest {
            case_id: "nope".into(),
            outcome: 1,
            explanation: "x".into(),
            severity: 1,
        };
        assert_eq!(
            code(
                client
                    .decide_case(running.req(As::Reviewer("rev-2"), missing))
                    .await
            ),
            Code::NotFound
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn a_counter_notice_without_legal_action_restores_and_retracts_after_the_window() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        running.uphold("rev-1", &case_id).await;
        let counter = pb::SubmitCounterNoticeRequest {
            case_id: case_id.clone(),
            declaration: "These are genuine goods bought from the brand's distributor.".into(),
            evidence_urls: vec!["https://shop.example/invoice.pdf".into()],
        };
        let case = client
            .submit_counter_notice(running.req(As::Seller("seller-1"), counter))
            .await
            .expect("filed");
        let case = case.into_inner().r#case.expect("case");
        assert_eq!(status(&case), pb::CaseStatus::CounterNoticePending);
        assert!(case.window_end_time.is_some());

        // Restart in the middle of the window: the deadline is durable.
        running.clock.advance(Duration::days(7));
        let running = running.restart().await;
        running.clock.advance(Duration::days(8));
        assert_eq!(
            running.delivered("RestoreListing", 1).await,
            std::slice::from_ref(&case_id)
        );
        assert_eq!(
            running.delivered("RetractViolation", 1).await,
            std::slice::from_ref(&case_id)
        );
        assert_eq!(
            status(&running.case(&case_id).await),
            pb::CaseStatus::MeasuresLifted
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn legal_action_in_time_keeps_the_measures() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        running.uphold("rev-1", &case_id).await;
        let counter = pb::SubmitCounterNoticeRequest {
            case_id: case_id.clone(),
            declaration: "genuine".into(),
            evidence_urls: vec![],
        };
        client
            .submit_counter_notice(running.req(As::Seller("seller-1"), counter))
            .await
            .expect("filed");
        running.clock.advance(Duration::days(10));
        let legal = pb::ConfirmLegalActionRequest {
            case_id: case_id.clone(),
            authority_or_court: "Landgericht Köln".into(),
            reference: "33 O 123/26".into(),
        };
        assert_eq!(
            code(
                client
                    .confirm_legal_action(running.req(As::RightsHolder("brand-2"), legal.clone()))
                    .await
            ),
            Code::PermissionDenied
        );
        let kept = client
            .confirm_legal_action(running.req(As::RightsHolder("brand-1"), legal))
            .await
            .expect("in time");
        assert_eq!(
            status(&kept.into_inner().r#case.expect("case")),
            pb::CaseStatus::MeasuresMaintained
        );
        running.clock.advance(Duration::days(10));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            running.peers.keys("RestoreListing").is_empty(),
            "the window was cancelled"
        );
        assert_eq!(
            status(&running.case(&case_id).await),
            pb::CaseStatus::MeasuresMaintained
        );
        running.stop().await;
    }
}

#[tokio::test]
async fn a_regulator_notice_takes_the_listing_down_on_receipt() {
    for running in Running::all().await {
        let mut notice = Running::notice("g1", "bnetza", &["l-7"]);
        notice.source = pb::NoticeSource::Regulator.into();
        let case_id = running
            .submit(As::Regulator("bnetza", Some("DE")), notice)
            .await;
        assert_eq!(
            running.delivered("TakeDownListing", 1).await,
            std::slice::from_ref(&case_id)
        );
        let case = running.case(&case_id).await;
        assert_eq!(status(&case), pb::CaseStatus::Open);
        assert!(case.measure_in_force);
        assert_eq!(case.priority, 1);
        assert_eq!(case.statement_of_reasons_ids.len(), 1);
        running.stop().await;
    }
}

#[tokio::test]
async fn an_appeal_reversal_by_another_reviewer_undoes_everything() {
    for running in Running::all().await {
        let mut client = running.client.clone();
        let case_id = running
            .submit(
                As::RightsHolder("brand-1"),
                Running::notice("r1", "brand-1", &["l-1"]),
            )
            .await;
        running.uphold("rev-1", &case_id).await;
        running.delivered("RecordViolation", 1).await;
        let filing = pb::FileAppealRequest {
            request_id: "a1".into(),
            case_id: case_id.clone(),
            grounds: "Invoice attached.".into(),
        };
        assert_eq!(
            code(
                client
                    .file_appeal(running.req(As::Seller("seller-2"), filing.clone()))
                    .await
            ),
            Code::PermissionDenied
        );
        let appeal = client
            .file_appeal(running.req(As::Seller("seller-1"), filing))
            .await
            .expect("filed")
            .into_inner()
            .appeal
            .expect("appeal");
        let decide = |outcome: pb::AppealOutcome| pb::DecideAppealRequest {
            appeal_id: appeal.appeal_id.clone(),
            outcome: outcome.into(),
            explanation: "The invoice proves the goods are genuine.".into(),
        };
        let same = client
            .decide_appeal(running.req(As::Reviewer("rev-1"), decide(pb::AppealOutcome::Reverse)))
            .await;
        assert_eq!(code(same), Code::PermissionDenied);
        let decided = client
            .decide_appeal(running.req(As::Reviewer("rev-2"), decide(pb::AppealOutcome::Reverse)))
            .await
            .expect("reversed");
        let case = decided.into_inner().r#case.expect("case");
        assert_eq!(status(&case), pb::CaseStatus::Reversed);
        assert_eq!(case.statement_of_reasons_ids.len(), 2);
        assert_eq!(
            running.delivered("RestoreListing", 1).await,
            std::slice::from_ref(&case_id)
        );
        assert_eq!(
            running.delivered("RetractViolation", 1).await,
            std::slice::from_ref(&case_id)
        );

        let report = client
            .get_transparency_report(running.req(
                As::Regulator("bnetza", Some("DE")),
                pb::GetTransparencyReportRequest {
                    start_time: Some(prost_types::Timestamp {
                        seconds: 1_772_323_200,
                        nanos: 0,
                    }),
                    end_time: Some(prost_types::Timestamp {
                        seconds: 1_772_323_200 + 7 * 86_400,
                        nanos: 0,
                    }),
                    jurisdiction: String::new(),
                },
            ))
            .await
            .expect("report")
            .into_inner()
            .report
            .expect("report");
        assert_eq!(
            (
                report.notices_total,
                report.cases_upheld,
                report.appeals,
                report.reversals
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(report.jurisdiction, "DE");
        running.stop().await;
    }
}
