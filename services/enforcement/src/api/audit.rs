//! GetAuditLogHead, GetAuditProof, VerifyAuditLog.

use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_runtime::errors::ServiceResult;

use super::EnforcementApi;
use super::convert::ts;
use crate::domain::audit::{Problem, TreeHead};
use crate::domain::merkle;
use crate::store::audit::{self, SignedHead};

impl EnforcementApi {
    fn head(&self, head: &TreeHead, signature: Vec<u8>) -> pb::AuditLogHead {
        let signer = self.store.signer();
        pb::AuditLogHead {
            tree_size: head.size,
            root_hash: head.root.to_vec(),
            head_time: Some(ts(head.time_millis)),
            signature,
            public_key: signer.public_key().to_vec(),
            key_id: signer.key_id(),
        }
    }

    /// A head signed now, for trees that have no stored one (the empty log, a recomputation).
    fn fresh_head(&self, size: u64, root: merkle::Hash) -> pb::AuditLogHead {
        let head = TreeHead {
            size,
            root,
            time_millis: self.store.now().timestamp_millis(),
        };
        let signature = self.store.signer().sign(&head).to_vec();
        self.head(&head, signature)
    }

    fn stored_head(&self, signed: &SignedHead) -> pb::AuditLogHead {
        self.head(&signed.head, signed.signature.clone())
    }

    pub(super) async fn audit_head(&self) -> ServiceResult<pb::GetAuditLogHeadResponse> {
        let head = match audit::head(self.store.db(), None).await? {
            Some(signed) => self.stored_head(&signed),
            None => self.fresh_head(0, merkle::empty_root()),
        };
        Ok(pb::GetAuditLogHeadResponse { head: Some(head) })
    }

    pub(super) async fn audit_proof(
        &self,
        req: pb::GetAuditProofRequest,
    ) -> ServiceResult<pb::GetAuditProofResponse> {
        let proofs = audit::proofs(
            self.store.db(),
            req.entry_index,
            req.tree_size,
            req.consistency_from_tree_size,
        )
        .await?;
        let e = &proofs.entry;
        Ok(pb::GetAuditProofResponse {
            entry: Some(pb::AuditEntry {
                index: req.entry_index,
                actor: Some(genuine_contracts::genuine::common::v1::Actor {
                    subject: e.actor_subject.clone(),
                    role: e.actor_role.clone(),
                }),
                entry_time: Some(ts(e.at)),
                kind: e.kind.clone(),
                subject_id: e.subject_id.clone(),
                payload_digest: hex::decode(&e.payload_digest).unwrap_or_default(),
                leaf_hash: hex::decode(&e.leaf_hash).unwrap_or_default(),
            }),
            inclusion_proof: Some(pb::InclusionProof {
                leaf_index: req.entry_index,
                tree_size: proofs.tree_size,
                audit_path: proofs.inclusion.iter().map(|h| h.to_vec()).collect(),
            }),
            consistency_proof: proofs
                .consistency
                .map(|(first, proof)| pb::ConsistencyProof {
                    first_tree_size: first,
                    second_tree_size: proofs.tree_size,
                    proof: proof.iter().map(|h| h.to_vec()).collect(),
                }),
            head: Some(self.stored_head(&proofs.head)),
        })
    }

    pub(super) async fn verify_audit(
        &self,
        req: pb::VerifyAuditLogRequest,
    ) -> ServiceResult<pb::VerifyAuditLogResponse> {
        let result = audit::verify(
            self.store.db(),
            self.store.signer(),
            req.to_index,
            self.store.now(),
        )
        .await?;
        let head = self.fresh_head(result.head.size, result.head.root);
        let (problem, first_bad_index, detail) = match &result.finding {
            None => (pb::AuditProblem::Unspecified, None, String::new()),
            Some(f) => (
                match f.problem {
                    Problem::Edited => pb::AuditProblem::Edited,
                    Problem::Deleted => pb::AuditProblem::Deleted,
                    Problem::Reordered => pb::AuditProblem::Reordered,
                },
                Some(f.index),
                f.detail.clone(),
            ),
        };
        let checked = result
            .checked
            .saturating_sub(req.from_index.min(result.checked));
        Ok(pb::VerifyAuditLogResponse {
            ok: result.finding.is_none(),
            entries_checked: checked,
            first_bad_index,
            problem: problem.into(),
            detail,
            head: Some(head),
        })
    }
}
