//! The tamper-evident audit log: signed heads, proofs and verification (bytes in base64).

use chrono::{DateTime, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{Actor, base64, time};
use super::enums::AuditProblem;

/// A signed tree head (RFC 6962 style).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    pub tree_size: u64,
    /// Merkle tree hash of the first `treeSize` entries (base64).
    pub root_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_time: Option<DateTime<Utc>>,
    /// Ed25519 signature over the canonical head (base64).
    pub signature: String,
    /// Ed25519 public key (base64).
    pub public_key: String,
    /// Hex SHA-256 of the public key.
    pub key_id: String,
}

/// One leaf of the log.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub index: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_time: Option<DateTime<Utc>>,
    /// e.g. `case.upheld`.
    pub kind: String,
    pub subject_id: String,
    /// SHA-256 of the canonical payload (base64).
    pub payload_digest: String,
    /// RFC 6962 leaf hash (base64).
    pub leaf_hash: String,
}

/// Proof that a leaf is in a tree of a given size.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// Sibling hashes from the leaf up (base64).
    pub audit_path: Vec<String>,
}

/// Proof that a smaller tree is a prefix of a larger one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsistencyProof {
    pub first_tree_size: u64,
    pub second_tree_size: u64,
    pub proof: Vec<String>,
}

/// An entry with its proofs and the signed head they are against.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<Entry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inclusion_proof: Option<InclusionProof>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_proof: Option<ConsistencyProof>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Head>,
}

/// Query of `GET /v1/audit/proof/{index}`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    /// Tree size to prove against (the current size when absent).
    #[param(minimum = 0)]
    pub tree_size: Option<u64>,
    /// Also prove that the tree of this size is a prefix of `tree_size`'s.
    #[param(minimum = 0)]
    pub consistency_from: Option<u64>,
}

/// Range to verify; the whole log when empty.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyRequest {
    /// First index (inclusive).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub from_index: u64,
    /// Last index (exclusive); 0 means the end of the log.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub to_index: u64,
}

/// The verdict of a verification.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub ok: bool,
    pub entries_checked: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_index: Option<u64>,
    pub problem: AuditProblem,
    pub detail: String,
    /// Head recomputed from the stored entries, signed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Head>,
}

impl Head {
    #[must_use]
    pub fn from_proto(h: &pb::AuditLogHead) -> Self {
        Self {
            tree_size: h.tree_size,
            root_hash: base64(&h.root_hash),
            head_time: time(h.head_time.as_ref()),
            signature: base64(&h.signature),
            public_key: base64(&h.public_key),
            key_id: h.key_id.clone(),
        }
    }
}

impl Proof {
    #[must_use]
    pub fn from_proto(p: &pb::GetAuditProofResponse) -> Self {
        Self {
            entry: p.entry.as_ref().map(|e| Entry {
                index: e.index,
                actor: Actor::from_proto(e.actor.as_ref()),
                entry_time: time(e.entry_time.as_ref()),
                kind: e.kind.clone(),
                subject_id: e.subject_id.clone(),
                payload_digest: base64(&e.payload_digest),
                leaf_hash: base64(&e.leaf_hash),
            }),
            inclusion_proof: p.inclusion_proof.as_ref().map(|i| InclusionProof {
                leaf_index: i.leaf_index,
                tree_size: i.tree_size,
                audit_path: i.audit_path.iter().map(|h| base64(h)).collect(),
            }),
            consistency_proof: p.consistency_proof.as_ref().map(|c| ConsistencyProof {
                first_tree_size: c.first_tree_size,
                second_tree_size: c.second_tree_size,
                proof: c.proof.iter().map(|h| base64(h)).collect(),
            }),
            head: p.head.as_ref().map(Head::from_proto),
        }
    }
}

impl Verification {
    #[must_use]
    pub fn from_proto(v: &pb::VerifyAuditLogResponse) -> Self {
        Self {
            ok: v.ok,
            entries_checked: v.entries_checked,
            first_bad_index: v.first_bad_index,
            problem: AuditProblem(v.problem),
            detail: v.detail.clone(),
            head: v.head.as_ref().map(Head::from_proto),
        }
    }
}
