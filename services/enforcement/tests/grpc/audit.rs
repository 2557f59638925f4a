//! The audit log through the API: heads, proofs, and verification after direct SQL tampering.

use genuine_contracts::genuine::enforcement::v1 as pb;
use sea_orm::ConnectionTrait;
use tonic::Code;

use crate::support::{As, Running, code};

async fn verify(running: &Running) -> pb::VerifyAuditLogResponse {
    running
        .client
        .clone()
        .verify_audit_log(running.req(
            As::Regulator("bnetza", Some("DE")),
            pb::VerifyAuditLogRequest::default(),
        ))
        .await
        .expect("verify")
        .into_inner()
}

#[tokio::test]
async fn verification_finds_the_first_edited_deleted_or_reordered_entry() {
    for running in Running::all().await {
        // Misleading information informs no buyers, so no delivery appends entries while we look.
        let mut notice = Running::notice("r1", "brand-1", &["l-1", "l-2"]);
        notice.ground = pb::NoticeGround::MisleadingInformation.into();
        let case_id = running.submit(As::RightsHolder("brand-1"), notice).await;
        running.uphold("rev-1", &case_id).await;
        let mut client = running.client.clone();
        assert_eq!(
            code(
                client
                    .verify_audit_log(
                        running.req(As::Seller("seller-1"), pb::VerifyAuditLogRequest::default())
                    )
                    .await
            ),
            Code::PermissionDenied
        );

        let good = verify(&running).await;
        assert!(good.ok, "{good:?}");
        let size = good.head.as_ref().expect("head").tree_size;
        assert!(size >= 5, "{size}");
        let head = client
            .get_audit_log_head(running.req(As::Admin, pb::GetAuditLogHeadRequest {}))
            .await
            .expect("head")
            .into_inner()
            .head
            .expect("head");
        assert_eq!(head.tree_size, size);
        assert_eq!(head.root_hash, good.head.expect("head").root_hash);
        let proof = client
            .get_audit_proof(running.req(
                As::Admin,
                pb::GetAuditProofRequest {
                    entry_index: 2,
                    tree_size: size,
                    consistency_from_tree_size: 1,
                },
            ))
            .await
            .expect("proof")
            .into_inner();
        let leaf: [u8; 32] = proof
            .entry
            .expect("entry")
            .leaf_hash
            .try_into()
            .expect("32 bytes");
        let path: Vec<[u8; 32]> = proof
            .inclusion_proof
            .expect("proof")
            .audit_path
            .into_iter()
            .map(|h| h.try_into().expect("32 bytes"))
            .collect();
        let root: [u8; 32] = head.root_hash.clone().try_into().expect("32 bytes");
        assert!(genuine_enforcement::domain::merkle::verify_inclusion(
            2, size, &leaf, &path, &root
        ));

        let db = &running.db().db;
        // Reordered: two rows swap places (their contents move, the index column stays).
        db.execute_unprepared(
            "UPDATE audit_log SET idx = CASE idx WHEN 3 THEN -1 ELSE idx END WHERE idx = 3",
        )
        .await
        .expect("move 3 aside");
        db.execute_unprepared("UPDATE audit_log SET idx = 3 WHERE idx = 4")
            .await
            .expect("4 to 3");
        db.execute_unprepared("UPDATE audit_log SET idx = 4 WHERE idx = -1")
            .await
            .expect("3 to 4");
        let reordered = verify(&running).await;
        assert!(!reordered.ok);
        assert_eq!(
            (reordered.first_bad_index, reordered.problem),
            (Some(3), i32::from(pb::AuditProblem::Reordered))
        );

        // Edited before that: found first.
        db.execute_unprepared("UPDATE audit_log SET actor_subject = 'someone-else' WHERE idx = 1")
            .await
            .expect("edit");
        let edited = verify(&running).await;
        assert_eq!(
            (edited.first_bad_index, edited.problem),
            (Some(1), i32::from(pb::AuditProblem::Edited))
        );

        // Deleted before that: found first.
        db.execute_unprepared("DELETE FROM audit_log WHERE idx = 0")
            .await
            .expect("delete");
        let deleted = verify(&running).await;
        assert_eq!(
            (deleted.first_bad_index, deleted.problem),
            (Some(0), i32::from(pb::AuditProblem::Deleted))
        );
        running.stop().await;
    }
}
