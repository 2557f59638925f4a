//! A Merkle tree in the style of RFC 6962 / RFC 9162 §2.1: SHA-256, leaves hashed with a 0x00
//! prefix and interior nodes with 0x01 (so a leaf can never pass for a node), the tree split at
//! the largest power of two below its size. Proof generation and verification follow the RFC's
//! algorithms, so any RFC 6962 client can check what this service hands out.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
#[must_use]
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256()`.
#[must_use]
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The Merkle tree hash of `leaves` (leaf hashes).
#[must_use]
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` in the tree of `leaves` (RFC 9162 §2.1.3.1); `None` when the
/// index is outside the tree.
#[must_use]
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    (index < leaves.len()).then(|| path(index, leaves))
}

fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

/// The proof that the tree of the first `first` leaves is a prefix of the tree of `leaves`
/// (RFC 9162 §2.1.4.1); `None` unless `0 < first <= leaves.len()`.
#[must_use]
pub fn consistency_proof(first: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    (first > 0 && first <= leaves.len()).then(|| subproof(first, leaves, true))
}

fn subproof(m: usize, leaves: &[Hash], complete: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if complete {
            Vec::new()
        } else {
            vec![root(leaves)]
        };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &leaves[..k], complete);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = subproof(m - k, &leaves[k..], false);
        p.push(root(&leaves[..k]));
        p
    }
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
#[must_use]
pub fn verify_inclusion(
    index: u64,
    tree_size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> bool {
    if index >= tree_size {
        return false;
    }
    let (mut f, mut s) = (index, tree_size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
#[must_use]
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first == 0 || first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((start, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *first_root && sr == *second_root && s == 0
}

/// Hashes of perfect, aligned subtrees: level `h`, position `p` covers leaves
/// `[p·2^h, (p+1)·2^h)`; level 0 are the leaves. With them a proof needs O(log² n) hashes
/// looked up instead of every leaf.
pub trait Nodes {
    /// The hash of one perfect subtree.
    fn node(&self, level: u32, pos: u64) -> Hash;
}

/// The Merkle tree hash of leaves `[start, end)`, from perfect subtrees. In the RFC's recursion a
/// range whose length is a power of two always starts at a multiple of it.
fn range_root(nodes: &impl Nodes, start: u64, end: u64) -> Hash {
    let n = end - start;
    if n == 0 {
        return empty_root();
    }
    if n.is_power_of_two() {
        let level = n.trailing_zeros();
        return nodes.node(level, start >> level);
    }
    let k = split_u64(n);
    node_hash(
        &range_root(nodes, start, start + k),
        &range_root(nodes, start + k, end),
    )
}

fn split_u64(n: u64) -> u64 {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

fn path_with(nodes: &impl Nodes, m: u64, start: u64, end: u64) -> Vec<Hash> {
    let n = end - start;
    if n <= 1 {
        return Vec::new();
    }
    let k = split_u64(n);
    if m < k {
        let mut p = path_with(nodes, m, start, start + k);
        p.push(range_root(nodes, start + k, end));
        p
    } else {
        let mut p = path_with(nodes, m - k, start + k, end);
        p.push(range_root(nodes, start, start + k));
        p
    }
}

fn subproof_with(nodes: &impl Nodes, m: u64, start: u64, end: u64, complete: bool) -> Vec<Hash> {
    let n = end - start;
    if m == n {
        return if complete {
            Vec::new()
        } else {
            vec![range_root(nodes, start, end)]
        };
    }
    let k = split_u64(n);
    if m <= k {
        let mut p = subproof_with(nodes, m, start, start + k, complete);
        p.push(range_root(nodes, start + k, end));
        p
    } else {
        let mut p = subproof_with(nodes, m - k, start + k, end, false);
        p.push(range_root(nodes, start, start + k));
        p
    }
}

/// [`inclusion_proof`] for a tree of `size` leaves given by its perfect subtrees.
#[must_use]
pub fn inclusion_proof_with(nodes: &impl Nodes, index: u64, size: u64) -> Option<Vec<Hash>> {
    (index < size).then(|| path_with(nodes, index, 0, size))
}

/// [`consistency_proof`] for a tree of `size` leaves given by its perfect subtrees.
#[must_use]
pub fn consistency_proof_with(nodes: &impl Nodes, first: u64, size: u64) -> Option<Vec<Hash>> {
    (first > 0 && first <= size).then(|| subproof_with(nodes, first, 0, size, true))
}

/// A [`Nodes`] that answers zeros and remembers what was asked: run a proof with it once to
/// learn which nodes to fetch, then again with the fetched ones.
#[derive(Debug, Default)]
pub struct NodeRecorder {
    asked: std::cell::RefCell<Vec<(u32, u64)>>,
}

impl NodeRecorder {
    /// The nodes asked for, sorted, without duplicates.
    #[must_use]
    pub fn asked(self) -> Vec<(u32, u64)> {
        let mut asked = self.asked.into_inner();
        asked.sort_unstable();
        asked.dedup();
        asked
    }
}

impl Nodes for NodeRecorder {
    fn node(&self, level: u32, pos: u64) -> Hash {
        self.asked.borrow_mut().push((level, pos));
        [0; 32]
    }
}

/// Nodes fetched into a map.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NodeMap(pub std::collections::HashMap<(u32, u64), Hash>);

impl Nodes for NodeMap {
    fn node(&self, level: u32, pos: u64) -> Hash {
        self.0.get(&(level, pos)).copied().unwrap_or([0; 32])
    }
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending
/// is O(log n) and the root is available after every append, so each audit entry can carry the
/// signed root of the log up to and including itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Roots of the perfect subtrees, one per set bit of `size`, largest first.
    peaks: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many leaves it has.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// Adds a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        self.push_with_nodes(leaf);
    }

    /// Adds a leaf hash, answering the perfect subtrees it completes as (level, position, hash),
    /// level ≥ 1: the nodes proofs are later built from (see [`Nodes`]).
    pub fn push_with_nodes(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let index = self.size;
        let mut carry = leaf;
        let mut size = self.size;
        let mut level = 0;
        let mut created = Vec::new();
        while size & 1 == 1 {
            let Some(left) = self.peaks.pop() else { break };
            carry = node_hash(&left, &carry);
            size >>= 1;
            level += 1;
            created.push((level, index >> level, carry));
        }
        self.peaks.push(carry);
        self.size += 1;
        created
    }

    /// The Merkle tree hash of the leaves so far.
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(first) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(*first, |acc, left| node_hash(left, &acc))
    }

    /// The stored form: size (8 bytes, big-endian) then the peaks.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.peaks.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for p in &self.peaks {
            out.extend_from_slice(p);
        }
        out
    }

    /// Reads the stored form; `None` when it is malformed.
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (size, rest) = bytes.split_first_chunk::<8>()?;
        let size = u64::from_be_bytes(*size);
        if rest.len() % 32 != 0 || rest.len() / 32 != size.count_ones() as usize {
            return None;
        }
        let peaks = rest
            .chunks_exact(32)
            .map(|c| <Hash>::try_from(c).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Self { size, peaks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn known_answers_from_rfc_6962_test_vectors() {
        // The certificate-transparency test vector: the empty tree and the 8 leaves used by the
        // Go and C++ implementations.
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let inputs: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        let hashes: Vec<Hash> = inputs.iter().map(|d| leaf_hash(d)).collect();
        assert_eq!(
            hex::encode(root(&hashes[..1])),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_eq!(
            hex::encode(root(&hashes)),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        );
    }

    #[test]
    fn the_frontier_agrees_with_the_recursive_root_and_round_trips() {
        let all = leaves(70);
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), empty_root());
        for n in 1..=all.len() {
            frontier.push(all[n - 1]);
            assert_eq!(frontier.root(), root(&all[..n]), "size {n}");
            assert_eq!(
                Frontier::from_bytes(&frontier.to_bytes()),
                Some(frontier.clone())
            );
        }
        assert_eq!(Frontier::from_bytes(&[0; 7]), None);
        assert_eq!(Frontier::from_bytes(&frontier.to_bytes()[..40]), None);
    }

    #[test]
    fn out_of_range_requests_have_no_proof() {
        let all = leaves(5);
        assert!(inclusion_proof(5, &all).is_none());
        assert!(consistency_proof(0, &all).is_none());
        assert!(consistency_proof(6, &all).is_none());
        assert!(!verify_consistency(
            0,
            5,
            &root(&all[..0]),
            &root(&all),
            &[]
        ));
    }

    fn flip(hash: &mut Hash, bit: usize) {
        hash[bit / 8 % 32] ^= 1 << (bit % 8);
    }

    /// Every perfect subtree of `leaves`, as a frontier records them while appending.
    fn node_map(leaves: &[Hash]) -> NodeMap {
        let mut map = NodeMap::default();
        let mut frontier = Frontier::new();
        for (i, leaf) in leaves.iter().enumerate() {
            map.0.insert((0, i as u64), *leaf);
            for (level, pos, hash) in frontier.push_with_nodes(*leaf) {
                map.0.insert((level, pos), hash);
            }
        }
        map
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn proofs_from_perfect_subtrees_equal_proofs_from_all_leaves(n in 1usize..300, pick in any::<usize>(), other in any::<usize>()) {
            let all = leaves(n);
            let map = node_map(&all);
            let index = pick % n;
            prop_assert_eq!(inclusion_proof_with(&map, index as u64, n as u64), inclusion_proof(index, &all));
            let first = other % n + 1;
            prop_assert_eq!(consistency_proof_with(&map, first as u64, n as u64), consistency_proof(first, &all));
            let recorder = NodeRecorder::default();
            let _ = inclusion_proof_with(&recorder, index as u64, n as u64);
            let _ = consistency_proof_with(&recorder, first as u64, n as u64);
            let asked = recorder.asked();
            prop_assert!(asked.iter().all(|k| map.0.contains_key(k)), "only existing nodes are asked for");
            let bits = (64 - (n as u64).leading_zeros()) as usize;
            prop_assert!(asked.len() <= 2 * bits * bits, "{} nodes for {n} leaves", asked.len());
        }

        #[test]
        fn inclusion_proofs_verify_and_tampering_is_detected(n in 1usize..130, pick in any::<usize>(), bit in 0usize..256, which in any::<usize>()) {
            let all = leaves(n);
            let index = pick % n;
            let head = root(&all);
            let proof = inclusion_proof(index, &all).expect("in range");
            prop_assert!(verify_inclusion(index as u64, n as u64, &all[index], &proof, &head));

            let mut leaf = all[index];
            flip(&mut leaf, bit);
            prop_assert!(!verify_inclusion(index as u64, n as u64, &leaf, &proof, &head));
            let mut bad_root = head;
            flip(&mut bad_root, bit);
            prop_assert!(!verify_inclusion(index as u64, n as u64, &all[index], &proof, &bad_root));
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = which % bad.len();
                flip(&mut bad[at], bit);
                prop_assert!(!verify_inclusion(index as u64, n as u64, &all[index], &bad, &head));
                prop_assert!(!verify_inclusion(index as u64, n as u64, &all[index], &proof[..proof.len() - 1], &head));
            }
            if n > 1 {
                let other = (index + 1) % n;
                prop_assert!(!verify_inclusion(other as u64, n as u64, &all[index], &proof, &head));
            }
            prop_assert!(!verify_inclusion(n as u64, n as u64, &all[index], &proof, &head));
        }

        #[test]
        fn consistency_proofs_verify_and_tampering_is_detected(n in 1usize..130, pick in any::<usize>(), bit in 0usize..256, which in any::<usize>()) {
            let all = leaves(n);
            let first = pick % n + 1;
            let (old, new) = (root(&all[..first]), root(&all));
            let proof = consistency_proof(first, &all).expect("in range");
            prop_assert!(verify_consistency(first as u64, n as u64, &old, &new, &proof));

            let mut bad_old = old;
            flip(&mut bad_old, bit);
            prop_assert!(!verify_consistency(first as u64, n as u64, &bad_old, &new, &proof));
            let mut bad_new = new;
            flip(&mut bad_new, bit);
            prop_assert!(!verify_consistency(first as u64, n as u64, &old, &bad_new, &proof));
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = which % bad.len();
                flip(&mut bad[at], bit);
                prop_assert!(!verify_consistency(first as u64, n as u64, &old, &new, &bad));
            }
            // A rewritten history (one earlier leaf changed) is not consistent with the old head.
            let mut rewritten = all.clone();
            let at = which % first;
            flip(&mut rewritten[at], bit);
            let rewritten_proof = consistency_proof(first, &rewritten).expect("in range");
            prop_assert!(!verify_consistency(first as u64, n as u64, &old, &root(&rewritten), &rewritten_proof));
        }
    }
}
