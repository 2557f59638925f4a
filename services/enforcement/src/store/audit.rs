//! The audit log in the database: appended in the caller's transaction, read back as signed
//! heads and proofs, and verified row by row against the signatures.

use chrono::{DateTime, Utc};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use super::Actor;
use super::entities::{audit_entry, audit_node, audit_state};
use crate::domain::audit::{
    self as rules, AuditRecord, AuditSigner, Finding, LogVerifier, StoredEntry, TreeHead,
};
use crate::domain::merkle::{self, Frontier, Hash, NodeMap, NodeRecorder};

/// Rows read per batch while verifying or proving.
const BATCH: u64 = 2000;

/// Appends an entry for `kind` on `subject_id` whose payload is `payload` (its SHA-256 is kept).
/// Runs in the caller's transaction: the change and its entry commit together. The single state
/// row is locked (`FOR UPDATE` on PostgreSQL; SQLite write transactions are exclusive already),
/// so concurrent appends get consecutive indexes.
///
/// # Errors
/// The database error.
pub async fn append<C: ConnectionTrait, P: Serialize>(
    conn: &C,
    signer: &AuditSigner,
    actor: &Actor,
    at: DateTime<Utc>,
    kind: &str,
    subject_id: &str,
    payload: &P,
) -> Result<(), DbErr> {
    let state = audit_state::Entity::find_by_id(1)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_state".to_owned()))?;
    let mut frontier = hex::decode(&state.frontier)
        .ok()
        .and_then(|bytes| Frontier::from_bytes(&bytes))
        .ok_or_else(|| DbErr::Custom("audit_state frontier is malformed".to_owned()))?;
    let payload = serde_json::to_vec(payload).map_err(|e| DbErr::Custom(e.to_string()))?;
    let record = AuditRecord {
        time_millis: at.timestamp_millis(),
        actor_subject: actor.subject.clone(),
        actor_role: actor.role.clone(),
        kind: kind.to_owned(),
        subject_id: subject_id.to_owned(),
        payload_digest: rules::digest(&payload),
    };
    let entry = rules::append_with_nodes(&mut frontier, record, signer);
    for (level, pos, hash) in &entry.nodes {
        audit_node::ActiveModel {
            level: Set(i32::try_from(*level).map_err(|e| DbErr::Custom(e.to_string()))?),
            pos: Set(i64::try_from(*pos).map_err(|e| DbErr::Custom(e.to_string()))?),
            hash: Set(hex::encode(hash)),
        }
        .insert(conn)
        .await?;
    }
    let entry = entry.entry;
    let index = i64::try_from(entry.index).map_err(|e| DbErr::Custom(e.to_string()))?;
    audit_entry::ActiveModel {
        idx: Set(index),
        at: Set(entry.record.time_millis),
        actor_subject: Set(entry.record.actor_subject),
        actor_role: Set(entry.record.actor_role),
        kind: Set(entry.record.kind),
        subject_id: Set(entry.record.subject_id),
        payload_digest: Set(hex::encode(entry.record.payload_digest)),
        leaf_hash: Set(hex::encode(&entry.leaf_hash)),
        root: Set(hex::encode(&entry.root)),
        signature: Set(hex::encode(&entry.signature)),
    }
    .insert(conn)
    .await?;
    audit_state::ActiveModel {
        id: Set(1),
        tree_size: Set(index + 1),
        frontier: Set(hex::encode(frontier.to_bytes())),
    }
    .update(conn)
    .await?;
    Ok(())
}

/// A signed head as stored with the last entry of a tree of its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub head: TreeHead,
    pub signature: Vec<u8>,
}

/// The head of the log of `size` entries (the latest when `None`); `None` for an empty log.
///
/// # Errors
/// The database error; `INVALID_ARGUMENT` when `size` is beyond the log.
pub async fn head<C: ConnectionTrait>(
    conn: &C,
    size: Option<u64>,
) -> ServiceResult<Option<SignedHead>> {
    let row = match size {
        Some(0) => return Ok(None),
        Some(n) => {
            let idx = i64::try_from(n - 1)
                .map_err(|_| ServiceError::invalid_field("tree_size", "too large"))?;
            let row = audit_entry::Entity::find_by_id(idx).one(conn).await?;
            Some(row.ok_or_else(|| {
                ServiceError::invalid_field("tree_size", "is larger than the log")
            })?)
        }
        None => {
            audit_entry::Entity::find()
                .order_by_desc(audit_entry::Column::Idx)
                .one(conn)
                .await?
        }
    };
    row.map(|r| signed_head(&r)).transpose()
}

fn signed_head(row: &audit_entry::Model) -> ServiceResult<SignedHead> {
    let root =
        decode_hash(&row.root).ok_or_else(|| ServiceError::internal("audit root is not a hash"))?;
    Ok(SignedHead {
        head: TreeHead {
            size: u64::try_from(row.idx).unwrap_or_default() + 1,
            root,
            time_millis: row.at,
        },
        signature: hex::decode(&row.signature).unwrap_or_default(),
    })
}

fn decode_hash(text: &str) -> Option<Hash> {
    hex::decode(text).ok()?.try_into().ok()
}

/// The subtree hashes a proof asked for: leaves from the log, higher levels from `audit_nodes`.
///
/// # Errors
/// `FAILED_PRECONDITION` when one is missing (the log was tampered with); the database error.
async fn fetch_nodes<C: ConnectionTrait>(conn: &C, asked: &[(u32, u64)]) -> ServiceResult<NodeMap> {
    let mut map = NodeMap::default();
    let to_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let leaves: Vec<i64> = asked
        .iter()
        .filter(|(l, _)| *l == 0)
        .map(|(_, p)| to_i64(*p))
        .collect();
    for chunk in leaves.chunks(500) {
        let rows: Vec<(i64, String)> = audit_entry::Entity::find()
            .select_only()
            .column(audit_entry::Column::Idx)
            .column(audit_entry::Column::LeafHash)
            .filter(audit_entry::Column::Idx.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (idx, hash) in rows {
            if let Some(h) = decode_hash(&hash) {
                map.0.insert((0, u64::try_from(idx).unwrap_or_default()), h);
            }
        }
    }
    let mut by_level: std::collections::BTreeMap<u32, Vec<i64>> = std::collections::BTreeMap::new();
    for (level, pos) in asked.iter().filter(|(l, _)| *l > 0) {
        by_level.entry(*level).or_default().push(to_i64(*pos));
    }
    for (level, positions) in by_level {
        for chunk in positions.chunks(500) {
            let rows = audit_node::Entity::find()
                .filter(audit_node::Column::Level.eq(i32::try_from(level).unwrap_or(i32::MAX)))
                .filter(audit_node::Column::Pos.is_in(chunk.iter().copied()))
                .all(conn)
                .await?;
            for row in rows {
                if let Some(h) = decode_hash(&row.hash) {
                    map.0
                        .insert((level, u64::try_from(row.pos).unwrap_or_default()), h);
                }
            }
        }
    }
    if let Some((level, pos)) = asked.iter().find(|k| !map.0.contains_key(k)) {
        return Err(ServiceError::failed_precondition(
            "AUDIT_LOG",
            "audit_log",
            format!("audit node {level}/{pos} is missing; run VerifyAuditLog"),
        ));
    }
    Ok(map)
}

/// An entry with its inclusion proof in the tree of `tree_size` and, when asked, the consistency
/// proof from `consistency_from` to `tree_size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proofs {
    pub entry: audit_entry::Model,
    pub tree_size: u64,
    pub inclusion: Vec<Hash>,
    pub consistency: Option<(u64, Vec<Hash>)>,
    pub head: SignedHead,
}

/// Proofs for entry `index`.
///
/// # Errors
/// `INVALID_ARGUMENT` for indexes or sizes outside the log; the database error.
pub async fn proofs<C: ConnectionTrait>(
    conn: &C,
    index: u64,
    tree_size: u64,
    consistency_from: u64,
) -> ServiceResult<Proofs> {
    let Some(current) = head(conn, None).await? else {
        return Err(ServiceError::invalid_field(
            "entry_index",
            "the audit log is empty",
        ));
    };
    let size = if tree_size == 0 {
        current.head.size
    } else {
        tree_size
    };
    if size > current.head.size {
        return Err(ServiceError::invalid_field(
            "tree_size",
            "is larger than the log",
        ));
    }
    if index >= size {
        return Err(ServiceError::invalid_field(
            "entry_index",
            "is not in the tree",
        ));
    }
    if consistency_from > size {
        return Err(ServiceError::invalid_field(
            "consistency_from_tree_size",
            "is larger than tree_size",
        ));
    }
    let first = consistency_from;
    let recorder = NodeRecorder::default();
    let _ = merkle::inclusion_proof_with(&recorder, index, size);
    if first > 0 {
        let _ = merkle::consistency_proof_with(&recorder, first, size);
    }
    let nodes = fetch_nodes(conn, &recorder.asked()).await?;
    let inclusion = merkle::inclusion_proof_with(&nodes, index, size).unwrap_or_default();
    let consistency = if first == 0 {
        None
    } else {
        merkle::consistency_proof_with(&nodes, first, size).map(|p| (first, p))
    };
    let entry = audit_entry::Entity::find_by_id(i64::try_from(index).unwrap_or(i64::MAX))
        .one(conn)
        .await?
        .ok_or_else(|| ServiceError::not_found("audit entry", &index.to_string()))?;
    let head = head(conn, Some(size))
        .await?
        .ok_or_else(|| ServiceError::internal("no head for a non-empty tree"))?;
    Ok(Proofs {
        entry,
        tree_size: size,
        inclusion,
        consistency,
        head,
    })
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked and found good.
    pub checked: u64,
    /// The first bad entry, if any.
    pub finding: Option<Finding>,
    /// The head recomputed from the good entries.
    pub head: TreeHead,
}

/// Recomputes the log from its rows up to `to` (exclusive; 0 means all) and checks every entry
/// against its signed head. Reads in batches, so memory stays flat.
///
/// # Errors
/// The database error.
pub async fn verify<C: ConnectionTrait>(
    conn: &C,
    signer: &AuditSigner,
    to: u64,
    now: DateTime<Utc>,
) -> ServiceResult<Verification> {
    let state = audit_state::Entity::find_by_id(1).one(conn).await?;
    let signed_size = state.map_or(0, |s| u64::try_from(s.tree_size).unwrap_or(0));
    // Rows past the signed size are checked too: a row added behind the service's back, without
    // its state row, is a forgery in the log, not something outside it.
    let stored_size = audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Idx)
        .one(conn)
        .await?
        .map_or(0, |row| u64::try_from(row.idx).map_or(0, |idx| idx + 1));
    let log_size = signed_size.max(stored_size);
    let end = if to == 0 { log_size } else { to.min(log_size) };
    let mut verifier = LogVerifier::new(signer);
    let mut after: i64 = -1;
    let found = 'scan: loop {
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Idx.gt(after))
            .filter(audit_entry::Column::Idx.lt(i64::try_from(end).unwrap_or(i64::MAX)))
            .order_by_asc(audit_entry::Column::Idx)
            .limit(BATCH)
            .all(conn)
            .await?;
        let Some(last) = rows.last() else { break None };
        after = last.idx;
        for row in &rows {
            if let Err(finding) = verifier.check(&stored(row)) {
                break 'scan Some(finding);
            }
        }
    };
    // The hash pass accepted a prefix; its last signed head vouches for all of it, or the first
    // unsigned head (a consistent rewrite) is found by bisection and comes first.
    let mut finding = found;
    if let Some(last) = verifier.last()
        && !verifier.is_signed(last)
    {
        let (mut lo, mut hi) = (0, last.index);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let row = audit_entry::Entity::find_by_id(i64::try_from(mid).unwrap_or(i64::MAX))
                .one(conn)
                .await?;
            if row.is_some_and(|r| verifier.is_signed(&stored(&r))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Same bisection as `rules::first_unsigned`, with rows fetched on demand.
        finding = Some(rules::rewritten(lo));
    }
    let finding = finding.or_else(|| verifier.finish(end).err());
    let checked = finding
        .as_ref()
        .map_or(verifier.checked(), |f| f.index.min(verifier.checked()));
    Ok(Verification {
        checked,
        finding,
        head: verifier.head(now.timestamp_millis()),
    })
}

fn stored(row: &audit_entry::Model) -> StoredEntry {
    StoredEntry {
        index: u64::try_from(row.idx).unwrap_or(u64::MAX),
        record: AuditRecord {
            time_millis: row.at,
            actor_subject: row.actor_subject.clone(),
            actor_role: row.actor_role.clone(),
            kind: row.kind.clone(),
            subject_id: row.subject_id.clone(),
            payload_digest: decode_hash(&row.payload_digest).unwrap_or([0; 32]),
        },
        leaf_hash: hex::decode(&row.leaf_hash).unwrap_or_default(),
        root: hex::decode(&row.root).unwrap_or_default(),
        signature: hex::decode(&row.signature).unwrap_or_default(),
    }
}
