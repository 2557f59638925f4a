//! The audit log through the API: who may read it. Heads, proofs and tampering are in
//! `tamper.rs`.

use genuine_contracts::genuine::enforcement::v1 as pb;
use tonic::Code;

use crate::support::{As, Running, code};

#[tokio::test]
async fn only_oversight_reads_the_audit_log() {
    for running in Running::all().await {
        // Misleading information informs no buyers, so no delivery appends entries while we look.
        let mut notice = Running::notice("r1", "brand-1", &["l-1"]);
        notice.ground = pb::NoticeGround::MisleadingInformation.into();
        let case_id = running.submit(As::RightsHolder("brand-1"), notice).await;
        running.uphold("rev-1", &case_id).await;
        running.delivered("RecordViolation", 1).await;
        let mut client = running.client.clone();
        for who in [As::Seller("seller-1"), As::RightsHolder("brand-1")] {
            assert_eq!(
                code(
                    client
                        .verify_audit_log(running.req(who, pb::VerifyAuditLogRequest::default()))
                        .await
                ),
                Code::PermissionDenied,
                "{who:?}"
            );
            assert_eq!(
                code(
                    client
                        .get_audit_log_head(running.req(who, pb::GetAuditLogHeadRequest {}))
                        .await
                ),
                Code::PermissionDenied,
                "{who:?}"
            );
        }
        for who in [As::Admin, As::Regulator("bnetza", Some("DE"))] {
            let verified = client
                .verify_audit_log(running.req(who, pb::VerifyAuditLogRequest::default()))
                .await
                .expect("verify")
                .into_inner();
            assert!(verified.ok, "{who:?}: {verified:?}");
            let head = client
                .get_audit_log_head(running.req(who, pb::GetAuditLogHeadRequest {}))
                .await
                .expect("head")
                .into_inner()
                .head
                .expect("head");
            assert_eq!(head.tree_size, verified.entries_checked, "{who:?}");
            let proof = client
                .get_audit_proof(running.req(
                    who,
                    pb::GetAuditProofRequest {
                        entry_index: 0,
                        tree_size: 0,
                        consistency_from_tree_size: 1,
                    },
                ))
                .await
                .expect("proof")
                .into_inner();
            assert_eq!(proof.head, Some(head), "{who:?}");
        }
        running.stop().await;
    }
}
