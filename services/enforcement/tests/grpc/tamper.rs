//! Tamper evidence, case by case: the audit log edited, rewritten, deleted from, reordered,
//! truncated and forged into directly in the database (SQL, on every backend). VerifyAuditLog
//! names the exact first bad entry, and what a regulator obtained before the tampering — a
//! signed head, every inclusion proof and every consistency proof, from the proof RPCs — checked
//! out before and no longer does after. The regulator's checks use the domain's RFC 9162
//! verifiers and the Ed25519 head check, not the server's verification path.

use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_enforcement::domain::audit::{AuditRecord, TreeHead, digest, verify_head};
use genuine_enforcement::domain::merkle::{self, Hash};
use genuine_enforcement::store::entities::audit_entry;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};

use crate::support::{As, Running};

/// Where the tampering starts in the middle of the log.
const K: i64 = 3;

/// One way to tamper, and what VerifyAuditLog must answer: the first bad index and problem, or
/// `None` when the log alone cannot show it (only an earlier head can).
struct Tampering {
    name: &'static str,
    expected: fn(u64) -> Option<(u64, pb::AuditProblem)>,
}

fn tamperings() -> Vec<Tampering> {
    use pb::AuditProblem::{Deleted, Edited, Reordered};
    vec![
        Tampering {
            name: "edit a field",
            expected: |_| Some((3, Edited)),
        },
        Tampering {
            name: "rewrite a field with recomputed leaf and later roots",
            expected: |_| Some((3, Edited)),
        },
        Tampering {
            name: "delete a row in the middle",
            expected: |_| Some((3, Deleted)),
        },
        Tampering {
            name: "delete the last row",
            expected: |n| Some((n - 1, Deleted)),
        },
        Tampering {
            name: "truncate: delete the last row and lower the signed size",
            expected: |_| None,
        },
        Tampering {
            name: "swap two rows",
            expected: |_| Some((3, Reordered)),
        },
        Tampering {
            name: "insert a forged row in the middle, later rows shifted",
            expected: |_| Some((3, Edited)),
        },
        Tampering {
            name: "insert a copy of an earlier row in the middle",
            expected: |_| Some((3, Reordered)),
        },
        Tampering {
            name: "append a forged row at the end",
            expected: |n| Some((n, Edited)),
        },
        Tampering {
            name: "append a forged row at the end and raise the signed size",
            expected: |n| Some((n, Edited)),
        },
    ]
}

/// What a regulator kept before the tampering, all from the proof RPCs.
struct Receipt {
    /// The signing key, pinned from the first head seen.
    key: [u8; 32],
    size: u64,
    root: Hash,
    /// For each index: the leaf hashed from the entry's fields, and its audit path.
    inclusions: Vec<(Hash, Vec<Hash>)>,
    /// For each earlier size m: the root of the tree of size m and the proof m → size.
    consistencies: Vec<(u64, Hash, Vec<Hash>)>,
}

impl Receipt {
    async fn obtain(running: &Running) -> Self {
        let head = head(running).await;
        let key: [u8; 32] = head.public_key.clone().try_into().expect("32-byte key");
        assert!(verify_head(&key, &tree_head(&head), &head.signature));
        let size = head.tree_size;
        let root = hash(&head.root_hash);
        let mut inclusions = Vec::new();
        let mut consistencies = Vec::new();
        for i in 0..size {
            let answer = proof(running, i, size, i).await.expect("proof");
            let entry = answer.entry.clone().expect("entry");
            let leaf = leaf_of(&entry);
            assert_eq!(
                leaf.to_vec(),
                entry.leaf_hash,
                "entry {i} hashes to its leaf"
            );
            let path = hashes(
                &answer
                    .inclusion_proof
                    .clone()
                    .expect("inclusion")
                    .audit_path,
            );
            inclusions.push((leaf, path));
            if i > 0 {
                let earlier = proof(running, 0, i, 0).await.expect("earlier head");
                let earlier = earlier.head.expect("head");
                assert!(verify_head(&key, &tree_head(&earlier), &earlier.signature));
                let consistency = hashes(&proof_consistency(&answer));
                consistencies.push((i, hash(&earlier.root_hash), consistency));
            }
        }
        Self {
            key,
            size,
            root,
            inclusions,
            consistencies,
        }
    }

    /// How many proofs of this receipt verify against the tree `(size, root)`.
    fn proofs_verifying(&self, size: u64, root: &Hash) -> usize {
        let inclusions = (0u64..)
            .zip(&self.inclusions)
            .filter(|(i, (leaf, path))| merkle::verify_inclusion(*i, size, leaf, path, root))
            .count();
        let consistencies = self
            .consistencies
            .iter()
            .filter(|(m, old_root, proof)| {
                merkle::verify_consistency(*m, size, old_root, root, proof)
            })
            .count();
        inclusions + consistencies
    }

    fn proof_count(&self) -> usize {
        self.inclusions.len() + self.consistencies.len()
    }

    /// The regulator's check of the server's current signed head: signed by the pinned key,
    /// the head of exactly the entries stored now (hashed from their fields), and an extension
    /// of the receipt's head by a consistency proof.
    async fn server_head_vouches_for(&self, running: &Running, stored: (u64, Hash)) -> bool {
        let now = head(running).await;
        let signed = verify_head(&self.key, &tree_head(&now), &now.signature);
        let matches = (now.tree_size, hash(&now.root_hash)) == stored;
        let extends = now.tree_size >= self.size
            && match proof(running, 0, now.tree_size, self.size).await {
                Ok(p) => merkle::verify_consistency(
                    self.size,
                    now.tree_size,
                    &self.root,
                    &hash(&now.root_hash),
                    &hashes(&proof_consistency(&p)),
                ),
                Err(_) => false,
            };
        signed && matches && extends
    }
}

fn proof_consistency(p: &pb::GetAuditProofResponse) -> Vec<Vec<u8>> {
    p.consistency_proof
        .as_ref()
        .map(|c| c.proof.clone())
        .unwrap_or_default()
}

async fn head(running: &Running) -> pb::AuditLogHead {
    running
        .client
        .clone()
        .get_audit_log_head(running.req(regulator(), pb::GetAuditLogHeadRequest {}))
        .await
        .expect("head")
        .into_inner()
        .head
        .expect("head")
}

async fn proof(
    running: &Running,
    entry_index: u64,
    tree_size: u64,
    consistency_from_tree_size: u64,
) -> Result<pb::GetAuditProofResponse, tonic::Status> {
    running
        .client
        .clone()
        .get_audit_proof(running.req(
            regulator(),
            pb::GetAuditProofRequest {
                entry_index,
                tree_size,
                consistency_from_tree_size,
            },
        ))
        .await
        .map(tonic::Response::into_inner)
}

async fn verify(running: &Running) -> pb::VerifyAuditLogResponse {
    running
        .client
        .clone()
        .verify_audit_log(running.req(regulator(), pb::VerifyAuditLogRequest::default()))
        .await
        .expect("verify")
        .into_inner()
}

const fn regulator() -> As {
    As::Regulator("bnetza", Some("DE"))
}

fn hash(bytes: &[u8]) -> Hash {
    bytes.try_into().expect("32-byte hash")
}

fn hashes(list: &[Vec<u8>]) -> Vec<Hash> {
    list.iter().map(|h| hash(h)).collect()
}

fn tree_head(head: &pb::AuditLogHead) -> TreeHead {
    let time = head.head_time.expect("head time");
    TreeHead {
        size: head.tree_size,
        root: hash(&head.root_hash),
        time_millis: time.seconds * 1000 + i64::from(time.nanos / 1_000_000),
    }
}

/// The leaf an entry's fields hash to.
fn leaf_of(entry: &pb::AuditEntry) -> Hash {
    let time = entry.entry_time.expect("entry time");
    let actor = entry.actor.clone().unwrap_or_default();
    AuditRecord {
        time_millis: time.seconds * 1000 + i64::from(time.nanos / 1_000_000),
        actor_subject: actor.subject,
        actor_role: actor.role,
        kind: entry.kind.clone(),
        subject_id: entry.subject_id.clone(),
        payload_digest: hash(&entry.payload_digest),
    }
    .leaf_hash()
}

fn record_of(row: &audit_entry::Model) -> AuditRecord {
    AuditRecord {
        time_millis: row.at,
        actor_subject: row.actor_subject.clone(),
        actor_role: row.actor_role.clone(),
        kind: row.kind.clone(),
        subject_id: row.subject_id.clone(),
        payload_digest: hash(&hex::decode(&row.payload_digest).expect("hex")),
    }
}

async fn rows(db: &DatabaseConnection) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Idx)
        .all(db)
        .await
        .expect("rows")
}

/// The tree the stored rows make, each leaf hashed from its fields: what the log says now.
async fn stored_tree(db: &DatabaseConnection) -> (u64, Hash) {
    let leaves: Vec<Hash> = rows(db)
        .await
        .iter()
        .map(|r| record_of(r).leaf_hash())
        .collect();
    (leaves.len() as u64, merkle::root(&leaves))
}

async fn sql(db: &DatabaseConnection, statement: &str) {
    db.execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Moves rows `from..` one index up (in two steps: no transient key clash on any backend).
async fn shift_up(db: &DatabaseConnection, from: i64) {
    sql(
        db,
        &format!("UPDATE audit_log SET idx = idx + 1000000 WHERE idx >= {from}"),
    )
    .await;
    sql(
        db,
        "UPDATE audit_log SET idx = idx - 999999 WHERE idx >= 1000000",
    )
    .await;
}

/// A forged entry at `idx` by someone with database access but not the signing key: the
/// fields hash to its leaf, its root is the true root of the log with it at `idx`, and its
/// signature is copied from a real row.
async fn insert_forged(db: &DatabaseConnection, idx: i64, leaves_before: &[Hash], copy_of: &str) {
    let forged = AuditRecord {
        time_millis: 1_780_000_000_000,
        actor_subject: "rev-9".into(),
        actor_role: "reviewer".into(),
        kind: "case.rejected".into(),
        subject_id: "case-forged".into(),
        payload_digest: digest(b"forged decision"),
    };
    let mut leaves = leaves_before.to_vec();
    leaves.push(forged.leaf_hash());
    sql(
        db,
        &format!(
            "INSERT INTO audit_log (idx, at, actor_subject, actor_role, kind, subject_id, \
             payload_digest, leaf_hash, root, signature) VALUES \
             ({idx}, {}, 'rev-9', 'reviewer', 'case.rejected', 'case-forged', '{}', '{}', '{}', '{copy_of}')",
            forged.time_millis,
            hex::encode(forged.payload_digest),
            hex::encode(forged.leaf_hash()),
            hex::encode(merkle::root(&leaves)),
        ),
    )
    .await;
}

async fn tamper(db: &DatabaseConnection, name: &str, n: i64) {
    let pristine = rows(db).await;
    let leaves: Vec<Hash> = pristine.iter().map(|r| record_of(r).leaf_hash()).collect();
    let k = usize::try_from(K).expect("small");
    let last = n - 1;
    match name {
        "edit a field" => {
            sql(
                db,
                &format!("UPDATE audit_log SET actor_subject = 'someone-else' WHERE idx = {K}"),
            )
            .await;
        }
        "rewrite a field with recomputed leaf and later roots" => {
            let mut record = record_of(&pristine[k]);
            record.kind = "case.rejected".into();
            let mut leaves = leaves.clone();
            leaves[k] = record.leaf_hash();
            for (j, row) in pristine.iter().enumerate().skip(k) {
                let kind = if j == k { "case.rejected" } else { &row.kind };
                sql(
                    db,
                    &format!(
                        "UPDATE audit_log SET kind = '{kind}', leaf_hash = '{}', root = '{}' \
                         WHERE idx = {j}",
                        hex::encode(leaves[j]),
                        hex::encode(merkle::root(&leaves[..=j])),
                    ),
                )
                .await;
            }
        }
        "delete a row in the middle" => {
            sql(db, &format!("DELETE FROM audit_log WHERE idx = {K}")).await;
        }
        "delete the last row" => {
            sql(db, &format!("DELETE FROM audit_log WHERE idx = {last}")).await;
        }
        "truncate: delete the last row and lower the signed size" => {
            sql(db, &format!("DELETE FROM audit_log WHERE idx = {last}")).await;
            sql(
                db,
                &format!("UPDATE audit_state SET tree_size = {last} WHERE id = 1"),
            )
            .await;
        }
        "swap two rows" => {
            sql(
                db,
                &format!("UPDATE audit_log SET idx = -1 WHERE idx = {K}"),
            )
            .await;
            sql(
                db,
                &format!("UPDATE audit_log SET idx = {K} WHERE idx = {}", K + 1),
            )
            .await;
            sql(
                db,
                &format!("UPDATE audit_log SET idx = {} WHERE idx = -1", K + 1),
            )
            .await;
        }
        "insert a forged row in the middle, later rows shifted" => {
            shift_up(db, K).await;
            insert_forged(db, K, &leaves[..k], &pristine[k].signature).await;
        }
        "insert a copy of an earlier row in the middle" => {
            shift_up(db, K).await;
            sql(
                db,
                &format!(
                    "INSERT INTO audit_log (idx, at, actor_subject, actor_role, kind, subject_id, \
                     payload_digest, leaf_hash, root, signature) SELECT {K}, at, actor_subject, \
                     actor_role, kind, subject_id, payload_digest, leaf_hash, root, signature \
                     FROM audit_log WHERE idx = 1"
                ),
            )
            .await;
        }
        "append a forged row at the end" => {
            insert_forged(db, n, &leaves, &pristine[k].signature).await;
        }
        "append a forged row at the end and raise the signed size" => {
            insert_forged(db, n, &leaves, &pristine[k].signature).await;
            sql(
                db,
                &format!("UPDATE audit_state SET tree_size = {} WHERE id = 1", n + 1),
            )
            .await;
        }
        other => panic!("no tampering named {other:?}"),
    }
}

/// Puts the log back as it was (the proof nodes are never touched by the tampering).
async fn restore(db: &DatabaseConnection) {
    sql(db, "DELETE FROM audit_log").await;
    sql(db, "INSERT INTO audit_log SELECT * FROM audit_log_pristine").await;
    sql(db, "DELETE FROM audit_state").await;
    sql(
        db,
        "INSERT INTO audit_state SELECT * FROM audit_state_pristine",
    )
    .await;
}

#[tokio::test]
async fn every_tampering_is_found_at_its_first_entry_and_breaks_earlier_proofs() {
    for running in Running::all().await {
        // Misleading information informs no buyers, so no delivery appends entries meanwhile.
        let mut notice = Running::notice("r1", "brand-1", &["l-1", "l-2", "l-3"]);
        notice.ground = pb::NoticeGround::MisleadingInformation.into();
        let case_id = running.submit(As::RightsHolder("brand-1"), notice).await;
        running.uphold("rev-1", &case_id).await;
        // Deliveries done, so nothing appends to the log while it is tampered with.
        running.delivered("TakeDownListing", 1).await;
        running.delivered("RecordViolation", 1).await;
        let intact = verify(&running).await;
        assert!(intact.ok, "{intact:?}");
        let n = intact.entries_checked;
        assert!(
            n >= 6,
            "a log long enough to tamper with in the middle: {n}"
        );

        let receipt = Receipt::obtain(&running).await;
        let db = &running.db().db;
        let backend = format!("{:?}", db.get_database_backend());
        assert_eq!(receipt.size, n);
        assert_eq!(
            stored_tree(db).await,
            (n, receipt.root),
            "the signed head is the head of the stored entries"
        );
        sql(
            db,
            "CREATE TABLE audit_log_pristine AS SELECT * FROM audit_log",
        )
        .await;
        sql(
            db,
            "CREATE TABLE audit_state_pristine AS SELECT * FROM audit_state",
        )
        .await;

        for tampering in tamperings() {
            let case = format!("{backend}, {}", tampering.name);
            let (size, root) = stored_tree(db).await;
            assert_eq!(
                receipt.proofs_verifying(size, &root),
                receipt.proof_count(),
                "{case}: before, every proof verifies"
            );
            assert!(
                receipt
                    .server_head_vouches_for(&running, (size, root))
                    .await,
                "{case}: before, the server's head checks out"
            );

            tamper(db, tampering.name, i64::try_from(n).expect("small")).await;

            let found = verify(&running).await;
            let expected = (tampering.expected)(n);
            assert_eq!(
                (found.ok, found.first_bad_index, found.problem),
                match expected {
                    Some((index, problem)) => (false, Some(index), i32::from(problem)),
                    None => (true, None, i32::from(pb::AuditProblem::Unspecified)),
                },
                "{case}: {}",
                found.detail
            );
            let (size, root) = stored_tree(db).await;
            assert_eq!(
                receipt.proofs_verifying(size, &root),
                0,
                "{case}: no earlier proof verifies against the stored log's head"
            );
            assert!(
                !receipt
                    .server_head_vouches_for(&running, (size, root))
                    .await,
                "{case}: the server's head no longer checks out"
            );
            restore(db).await;
        }
        running.stop().await;
    }
}
