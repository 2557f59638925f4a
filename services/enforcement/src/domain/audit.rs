//! The audit log's entries and signed tree heads.
//!
//! Each entry is a leaf; each stored entry also carries the root of the log up to and including
//! itself, signed with the service's Ed25519 key. So a verifier finds the *first* bad entry even
//! when someone with database access rewrote the leaf hashes consistently: they cannot re-sign.
//! - edited: the fields no longer hash to the stored leaf, or the recomputed root differs from the
//!   signed one;
//! - deleted: an index is missing (or the log is shorter than the last signed size);
//! - reordered: an entry is intact but its signed head was made for another position.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::{Frontier, Hash, leaf_hash};

/// What an audit entry records. The payload itself is not kept here, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub time_millis: i64,
    pub actor_subject: String,
    pub actor_role: String,
    /// e.g. `case.upheld`.
    pub kind: String,
    /// The notice, case, appeal or statement concerned.
    pub subject_id: String,
    pub payload_digest: Hash,
}

impl AuditRecord {
    /// The canonical leaf data: time, then length-prefixed strings, then the digest. Unambiguous,
    /// so two different records never share leaf data.
    #[must_use]
    pub fn leaf_data(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.kind.len() + self.subject_id.len());
        out.extend_from_slice(b"genuine.audit.v1");
        out.extend_from_slice(&self.time_millis.to_be_bytes());
        for text in [
            &self.actor_subject,
            &self.actor_role,
            &self.kind,
            &self.subject_id,
        ] {
            let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&self.payload_digest);
        out
    }

    /// The RFC 6962 leaf hash.
    #[must_use]
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.leaf_data())
    }
}

/// SHA-256 of a payload.
#[must_use]
pub fn digest(payload: &[u8]) -> Hash {
    Sha256::digest(payload).into()
}

/// A tree head: what is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
    pub time_millis: i64,
}

impl TreeHead {
    /// The signed bytes: a context string, size, time and root.
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(80);
        out.extend_from_slice(b"genuine.enforcement.audit-head.v1");
        out.extend_from_slice(&self.size.to_be_bytes());
        out.extend_from_slice(&self.time_millis.to_be_bytes());
        out.extend_from_slice(&self.root);
        out
    }
}

/// The log's signing key.
#[derive(Clone)]
pub struct AuditSigner {
    key: SigningKey,
}

impl std::fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSigner")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Why a key text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit signing key must be 32 bytes, as 64 hex digits or base64")]
pub struct BadKey;

impl AuditSigner {
    /// A signer for a 32-byte Ed25519 secret.
    #[must_use]
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// A new random key.
    #[must_use]
    pub fn generate() -> Self {
        Self::from_secret(rand::random())
    }

    /// Reads a secret written as hex or base64 (standard alphabet, padded or not).
    ///
    /// # Errors
    /// [`BadKey`] when it is neither, or not 32 bytes.
    pub fn from_text(text: &str) -> Result<Self, BadKey> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .or_else(|| {
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(text)
                    .ok()
            })
            .ok_or(BadKey)?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| BadKey)?;
        Ok(Self::from_secret(secret))
    }

    /// The secret as hex (for the key file).
    #[must_use]
    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Hex SHA-256 of the public key.
    #[must_use]
    pub fn key_id(&self) -> String {
        hex::encode(digest(&self.public_key()))
    }

    /// Signs `head`.
    #[must_use]
    pub fn sign(&self, head: &TreeHead) -> [u8; 64] {
        self.key.sign(&head.signing_bytes()).to_bytes()
    }

    /// Whether `signature` is this key's signature of `head`.
    #[must_use]
    pub fn verify(&self, head: &TreeHead, signature: &[u8]) -> bool {
        verify_head(&self.public_key(), head, signature)
    }
}

/// Whether `signature` by `public_key` signs `head` (strict verification: no malleable forms).
#[must_use]
pub fn verify_head(public_key: &[u8; 32], head: &TreeHead, signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(&head.signing_bytes(), &signature).is_ok()
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub index: u64,
    pub record: AuditRecord,
    pub leaf_hash: Vec<u8>,
    /// Root of the log of size `index + 1`, signed.
    pub root: Vec<u8>,
    pub signature: Vec<u8>,
}

/// What is wrong with the first bad entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Edited,
    Deleted,
    Reordered,
}

/// The first bad entry found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub index: u64,
    pub problem: Problem,
    pub detail: String,
}

/// Checks stored entries in index order, starting at 0, keeping the recomputed tree.
///
/// The pass hashes only: each entry's fields must give its leaf hash and the recomputed root
/// must equal its stored root. Signatures are then needed only at the end: an authentic signed
/// root over leaves that reproduce it makes every earlier entry authentic, so when the last
/// accepted entry's head verifies, all do; when it does not, the first unsigned head is found by
/// bisection ([`first_unsigned`]) — validity is monotone because a rewritten entry changes
/// every later root. Verification costs O(n) hashes and O(log n) signature checks.
#[derive(Debug)]
pub struct LogVerifier<'a> {
    signer: &'a AuditSigner,
    frontier: Frontier,
    last: Option<StoredEntry>,
}

impl<'a> LogVerifier<'a> {
    /// A verifier for entries signed by `signer`.
    #[must_use]
    pub fn new(signer: &'a AuditSigner) -> Self {
        Self {
            signer,
            frontier: Frontier::new(),
            last: None,
        }
    }

    /// How many entries were accepted.
    #[must_use]
    pub const fn checked(&self) -> u64 {
        self.frontier.size()
    }

    /// The last accepted entry.
    #[must_use]
    pub const fn last(&self) -> Option<&StoredEntry> {
        self.last.as_ref()
    }

    /// The recomputed tree head over the entries accepted so far.
    #[must_use]
    pub fn head(&self, time_millis: i64) -> TreeHead {
        TreeHead {
            size: self.frontier.size(),
            root: self.frontier.root(),
            time_millis,
        }
    }

    /// Whether `entry` carries this key's signature of the head of its own position.
    #[must_use]
    pub fn is_signed(&self, entry: &StoredEntry) -> bool {
        let Ok(root) = <Hash>::try_from(entry.root.as_slice()) else {
            return false;
        };
        let head = TreeHead {
            size: entry.index + 1,
            root,
            time_millis: entry.record.time_millis,
        };
        self.signer.verify(&head, &entry.signature)
    }

    /// Checks the next entry by hashing.
    ///
    /// # Errors
    /// The finding, when this entry (or a missing one before it) is bad.
    pub fn check(&mut self, entry: &StoredEntry) -> Result<(), Finding> {
        let expected = self.frontier.size();
        let finding = |problem, detail: &str| Finding {
            index: expected,
            problem,
            detail: detail.to_owned(),
        };
        if entry.index != expected {
            return Err(finding(Problem::Deleted, "entry missing from the log"));
        }
        let leaf = entry.record.leaf_hash();
        if entry.leaf_hash != leaf {
            return Err(finding(
                Problem::Edited,
                "fields do not match the stored leaf hash",
            ));
        }
        let mut next = self.frontier.clone();
        next.push(leaf);
        if entry.root.as_slice() != next.root().as_slice() {
            return Err(if self.is_signed(entry) {
                finding(
                    Problem::Edited,
                    "recomputed root differs from the signed root",
                )
            } else {
                finding(
                    Problem::Reordered,
                    "the entry's signed head belongs to another position",
                )
            });
        }
        self.frontier = next;
        self.last = Some(entry.clone());
        Ok(())
    }

    /// After the last entry: the log must be at least as long as the last size known signed.
    ///
    /// # Errors
    /// A deletion at the end.
    pub fn finish(&self, signed_size: u64) -> Result<(), Finding> {
        if self.frontier.size() < signed_size {
            return Err(Finding {
                index: self.frontier.size(),
                problem: Problem::Deleted,
                detail: format!("the log ends before its signed size {signed_size}"),
            });
        }
        Ok(())
    }
}

/// The finding for a consistently rewritten entry at `index` (found by bisection).
#[must_use]
pub fn rewritten(index: u64) -> Finding {
    Finding {
        index,
        problem: Problem::Edited,
        detail: "entry rewritten with recomputed hashes; its signed head does not verify"
            .to_owned(),
    }
}

/// The first index in `0..=last` whose head is not signed, given that `last`'s is not; `signed`
/// answers for one index. Bisection: O(log n) calls.
pub fn first_unsigned(last: u64, mut signed: impl FnMut(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (0, last);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if signed(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// An appended entry and the perfect subtrees its leaf completed (level, position, hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub entry: StoredEntry,
    pub nodes: Vec<(u32, u64, Hash)>,
}

/// Appends `record` after `frontier`, answering the stored entry (leaf, root, signature).
#[must_use]
pub fn append(frontier: &mut Frontier, record: AuditRecord, signer: &AuditSigner) -> StoredEntry {
    append_with_nodes(frontier, record, signer).entry
}

/// Like [`append`], also answering the subtree nodes to keep for proofs.
#[must_use]
pub fn append_with_nodes(
    frontier: &mut Frontier,
    record: AuditRecord,
    signer: &AuditSigner,
) -> Appended {
    let index = frontier.size();
    let leaf = record.leaf_hash();
    let nodes = frontier.push_with_nodes(leaf);
    let root = frontier.root();
    let signature = signer.sign(&TreeHead {
        size: index + 1,
        root,
        time_millis: record.time_millis,
    });
    Appended {
        entry: StoredEntry {
            index,
            record,
            leaf_hash: leaf.to_vec(),
            root: root.to_vec(),
            signature: signature.to_vec(),
        },
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(i: usize) -> AuditRecord {
        AuditRecord {
            time_millis: 1_700_000_000_000 + i as i64,
            actor_subject: format!("reviewer-{}", i % 3),
            actor_role: "reviewer".into(),
            kind: "case.upheld".into(),
            subject_id: format!("case-{i}"),
            payload_digest: digest(format!("payload {i}").as_bytes()),
        }
    }

    fn log(n: usize, signer: &AuditSigner) -> Vec<StoredEntry> {
        let mut frontier = Frontier::new();
        (0..n)
            .map(|i| append(&mut frontier, record(i), signer))
            .collect()
    }

    /// The whole procedure as the store runs it: hash pass, then signatures by bisection.
    fn verify(
        entries: &[StoredEntry],
        signer: &AuditSigner,
        signed_size: u64,
    ) -> Result<u64, Finding> {
        let mut verifier = LogVerifier::new(signer);
        let mut found = None;
        for e in entries {
            if let Err(f) = verifier.check(e) {
                found = Some(f);
                break;
            }
        }
        if let Some(last) = verifier.last()
            && !verifier.is_signed(last)
        {
            let at = first_unsigned(last.index, |i| {
                verifier.is_signed(&entries[usize::try_from(i).expect("index")])
            });
            return Err(rewritten(at));
        }
        if let Some(f) = found {
            return Err(f);
        }
        verifier.finish(signed_size)?;
        Ok(verifier.checked())
    }

    #[test]
    fn keys_read_from_hex_and_base64() {
        let signer = AuditSigner::generate();
        let from_hex = AuditSigner::from_text(&signer.secret_hex()).expect("hex");
        assert_eq!(from_hex.public_key(), signer.public_key());
        let b64 = base64::engine::general_purpose::STANDARD
            .encode(hex::decode(signer.secret_hex()).expect("hex"));
        assert_eq!(
            AuditSigner::from_text(&b64).expect("base64").public_key(),
            signer.public_key()
        );
        assert!(AuditSigner::from_text("abcd").is_err());
        assert!(!format!("{signer:?}").contains(&signer.secret_hex()));
    }

    #[test]
    fn heads_verify_only_with_their_key_and_content() {
        let signer = AuditSigner::generate();
        let head = TreeHead {
            size: 3,
            root: [7; 32],
            time_millis: 5,
        };
        let sig = signer.sign(&head);
        assert!(signer.verify(&head, &sig));
        assert!(!signer.verify(&TreeHead { size: 4, ..head }, &sig));
        assert!(!AuditSigner::generate().verify(&head, &sig));
        assert!(!signer.verify(&head, &sig[..63]));
    }

    #[test]
    fn a_consistently_rewritten_leaf_is_caught_by_its_signature() {
        let signer = AuditSigner::generate();
        let mut entries = log(6, &signer);
        entries[2].record.kind = "case.rejected".into();
        entries[2].leaf_hash = entries[2].record.leaf_hash().to_vec();
        let found = verify(&entries, &signer, 6).expect_err("tampered");
        assert_eq!((found.index, found.problem), (2, Problem::Edited));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn an_intact_log_verifies_and_any_tampering_is_found_at_its_first_entry(
            n in 2usize..40, pick in any::<usize>(), other in any::<usize>(), how in 0u8..5,
        ) {
            let signer = AuditSigner::generate();
            let mut entries = log(n, &signer);
            prop_assert_eq!(verify(&entries, &signer, n as u64), Ok(n as u64));
            let at = pick % n;
            let expected = match how {
                0 => {
                    entries[at].record.subject_id.push('x');
                    (at as u64, Problem::Edited)
                }
                1 => {
                    entries.remove(at);
                    (at as u64, Problem::Deleted)
                }
                2 => {
                    // Swap two rows' contents, keeping their index column.
                    let b = (at + 1 + other % (n - 1)) % n;
                    let (lo, hi) = (at.min(b), at.max(b));
                    let (x, y) = (entries[lo].clone(), entries[hi].clone());
                    entries[lo] = StoredEntry { index: lo as u64, ..y };
                    entries[hi] = StoredEntry { index: hi as u64, ..x };
                    (lo as u64, Problem::Reordered)
                }
                3 => {
                    entries[at].payload_digest_flip();
                    (at as u64, Problem::Edited)
                }
                _ => {
                    // A rewrite by someone with database access: fields, leaf and every later
                    // root recomputed; only the signatures cannot be redone.
                    entries[at].record.kind = "case.rejected".into();
                    let mut frontier = Frontier::new();
                    for e in &mut entries {
                        let leaf = e.record.leaf_hash();
                        frontier.push(leaf);
                        e.leaf_hash = leaf.to_vec();
                        e.root = frontier.root().to_vec();
                    }
                    (at as u64, Problem::Edited)
                }
            };
            let found = verify(&entries, &signer, n as u64).expect_err("tampering is detected");
            prop_assert_eq!((found.index, found.problem), expected);
        }
    }

    impl StoredEntry {
        fn payload_digest_flip(&mut self) {
            self.record.payload_digest[0] ^= 1;
        }
    }
}
