//! The audit log: every change is logged and tampering is found; the node backfill rebuilds
//! what appends kept.

use sea_orm::{EntityTrait, QueryOrder};

use super::*;
use crate::domain::audit::{AuditRecord, digest};
use crate::domain::merkle::{self, Hash};
use crate::store::entities::audit_entry;

#[tokio::test]
async fn every_change_is_in_the_audit_log_and_tampering_is_found() {
    for f in fixtures().await {
        let submitted = f
            .store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("stored");
        let case_id = parse_list(&submitted.notice.case_ids).remove(0);
        f.store
            .decide_case(
                &Actor::new("rev-1", "reviewer"),
                &case_id,
                CaseOutcome::Uphold,
                "fake",
                None,
            )
            .await
            .expect("upheld");
        let now = f.clock.now();
        let good = audit::verify(f.store.db(), f.store.signer(), 0, now)
            .await
            .expect("verify");
        // 2 cases opened, 1 notice, 1 decision, 1 statement.
        assert_eq!((good.checked, good.finding.clone()), (5, None));
        let head = audit::head(f.store.db(), None)
            .await
            .expect("head")
            .expect("non-empty");
        assert_eq!(head.head.root, good.head.root);
        assert!(f.store.signer().verify(&head.head, &head.signature));
        let proofs = audit::proofs(f.store.db(), 1, 0, 2).await.expect("proofs");
        let leaf: crate::domain::merkle::Hash = hex::decode(&proofs.entry.leaf_hash)
            .expect("hex")
            .try_into()
            .expect("32");
        assert!(crate::domain::merkle::verify_inclusion(
            1,
            5,
            &leaf,
            &proofs.inclusion,
            &head.head.root
        ));
        let old = audit::head(f.store.db(), Some(2))
            .await
            .expect("head")
            .expect("size 2");
        let (first, proof) = proofs.consistency.expect("asked for");
        assert!(crate::domain::merkle::verify_consistency(
            first,
            5,
            &old.head.root,
            &head.head.root,
            &proof
        ));

        let db = f.store.db();
        db.execute_unprepared("UPDATE audit_log SET kind = 'case.rejected' WHERE idx = 3")
            .await
            .expect("tamper");
        let edited = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify");
        let finding = edited.finding.expect("found");
        assert_eq!(
            (finding.index, finding.problem, edited.checked),
            (3, Problem::Edited, 3)
        );

        db.execute_unprepared("DELETE FROM audit_log WHERE idx = 1")
            .await
            .expect("tamper");
        let deleted = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify")
            .finding
            .expect("found");
        assert_eq!((deleted.index, deleted.problem), (1, Problem::Deleted));
    }
}

#[tokio::test]
async fn the_node_backfill_rebuilds_what_appends_kept() {
    use sea_orm_migration::{MigrationTrait, SchemaManager};
    for f in fixtures().await {
        f.store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2", "l-3"]),
            )
            .await
            .expect("stored");
        let before = audit::proofs(f.store.db(), 2, 0, 3).await.expect("proofs");
        f.store
            .db()
            .execute_unprepared("DROP TABLE audit_nodes")
            .await
            .expect("drop");
        AuditNodes
            .up(&SchemaManager::new(f.store.db()))
            .await
            .expect("backfill");
        let after = audit::proofs(f.store.db(), 2, 0, 3).await.expect("proofs");
        assert_eq!(
            (&before.inclusion, &before.consistency),
            (&after.inclusion, &after.consistency)
        );
        let root = after.head.head.root;
        let leaf: crate::domain::merkle::Hash = hex::decode(&after.entry.leaf_hash)
            .expect("hex")
            .try_into()
            .expect("32");
        assert!(crate::domain::merkle::verify_inclusion(
            2,
            after.tree_size,
            &leaf,
            &after.inclusion,
            &root
        ));
    }
}

#[tokio::test]
async fn a_row_appended_behind_the_service_is_found_even_without_its_state_row() {
    for f in fixtures().await {
        f.store
            .submit_notice(
                &rights_holder(),
                notice(NoticeSource::RightsHolder, "r1", &["l-1", "l-2"]),
            )
            .await
            .expect("stored");
        let now = f.clock.now();
        let db = f.store.db();
        let good = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify");
        assert_eq!((good.checked, good.finding), (3, None));

        // A forger with database access but not the key: correct leaf and root, a copied
        // signature, and the state row (the signed size) left alone.
        let rows = audit_entry::Entity::find()
            .order_by_asc(audit_entry::Column::Idx)
            .all(db)
            .await
            .expect("rows");
        let last = rows.last().expect("non-empty").clone();
        let forged = AuditRecord {
            time_millis: last.at + 1,
            actor_subject: "rev-9".into(),
            actor_role: "reviewer".into(),
            kind: "case.rejected".into(),
            subject_id: last.subject_id.clone(),
            payload_digest: digest(b"forged"),
        };
        let mut leaves: Vec<Hash> = rows
            .iter()
            .map(|r| {
                hex::decode(&r.leaf_hash)
                    .expect("hex")
                    .try_into()
                    .expect("32")
            })
            .collect();
        leaves.push(forged.leaf_hash());
        db.execute_unprepared(&format!(
            "INSERT INTO audit_log (idx, at, actor_subject, actor_role, kind, subject_id, \
             payload_digest, leaf_hash, root, signature) VALUES \
             (3, {}, 'rev-9', 'reviewer', 'case.rejected', '{}', '{}', '{}', '{}', '{}')",
            forged.time_millis,
            forged.subject_id,
            hex::encode(forged.payload_digest),
            hex::encode(forged.leaf_hash()),
            hex::encode(merkle::root(&leaves)),
            last.signature,
        ))
        .await
        .expect("forge");
        let found = audit::verify(db, f.store.signer(), 0, now)
            .await
            .expect("verify");
        let finding = found.finding.expect("the forged row is found");
        assert_eq!(
            (finding.index, finding.problem, found.checked),
            (3, Problem::Edited, 3)
        );
    }
}
