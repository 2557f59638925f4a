//! Finding every known hash within a Hamming distance of a query: multi-index hashing.
//!
//! The 256 bits are cut into 16 chunks of 16 bits. If two hashes differ in at most `r` bits, some
//! chunk differs in at most `r / 16` bits (pigeonhole). So each chunk has a table from its 16-bit
//! value to the hashes with that value, and a query probes, per chunk, every value within
//! `r / 16` bits of its own chunk (17 probes for the default `r = 31`), then checks the full
//! distance of each candidate. That returns exactly what a linear scan returns, touching a few
//! thousand candidates instead of every hash.
//!
//! Tables are a compact CSR layout (offsets per bucket, then positions): at a million hashes the
//! index is 32 MB of hashes plus 16 × 4 MB of positions plus 4 MB of offsets.

use super::pdq::PdqHash;

const CHUNKS: usize = 16;
const BUCKETS: usize = 1 << 16;
/// Above this distance, probing costs more than it saves; searches fall back to a scan.
pub const MAX_INDEXED_DISTANCE: u32 = 63;

/// One hit: the position of the hash in the index (insertion order) and its distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Position, as given by the order of [`HashIndex::build`]'s input.
    pub position: u32,
    /// Hamming distance to the query.
    pub distance: u32,
}

/// An immutable multi-index over a set of hashes.
#[derive(Clone)]
pub struct HashIndex {
    hashes: Vec<PdqHash>,
    /// `CHUNKS * (BUCKETS + 1)` start offsets into `positions`, chunk after chunk.
    offsets: Vec<u32>,
    /// `CHUNKS * len` positions, grouped by chunk then bucket.
    positions: Vec<u32>,
}

impl std::fmt::Debug for HashIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashIndex")
            .field("len", &self.hashes.len())
            .finish_non_exhaustive()
    }
}

fn chunk(hash: &PdqHash, index: usize) -> u16 {
    let word = hash.0[index / 4];
    // Truncation to the chunk's 16 bits is the point.
    #[allow(clippy::cast_possible_truncation)]
    let value = (word >> ((index % 4) * 16)) as u16;
    value
}

impl HashIndex {
    /// Builds the index; positions follow the order of `hashes`.
    ///
    /// # Panics
    /// Never for fewer than 2^32 hashes; more cannot be addressed and is refused.
    #[must_use]
    pub fn build(hashes: Vec<PdqHash>) -> Self {
        assert!(
            u32::try_from(hashes.len()).is_ok(),
            "at most 2^32 - 1 hashes per index"
        );
        let n = hashes.len();
        let mut offsets = vec![0_u32; CHUNKS * (BUCKETS + 1)];
        let mut positions = vec![0_u32; CHUNKS * n];
        for c in 0..CHUNKS {
            let table = &mut offsets[c * (BUCKETS + 1)..(c + 1) * (BUCKETS + 1)];
            for hash in &hashes {
                table[usize::from(chunk(hash, c)) + 1] += 1;
            }
            for b in 0..BUCKETS {
                table[b + 1] += table[b];
            }
            let mut cursor: Vec<u32> = table[..BUCKETS].to_vec();
            let out = &mut positions[c * n..(c + 1) * n];
            for (position, hash) in (0_u32..).zip(&hashes) {
                let bucket = usize::from(chunk(hash, c));
                out[cursor[bucket] as usize] = position;
                cursor[bucket] += 1;
            }
        }
        Self {
            hashes,
            offsets,
            positions,
        }
    }

    /// Number of hashes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the index holds no hash.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hash at `position`.
    #[must_use]
    pub fn get(&self, position: u32) -> Option<&PdqHash> {
        self.hashes.get(position as usize)
    }

    /// Every hash, in position order.
    #[must_use]
    pub fn hashes(&self) -> &[PdqHash] {
        &self.hashes
    }

    /// Bytes held by the index (hashes and tables), for capacity planning.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * std::mem::size_of::<PdqHash>()
            + (self.offsets.capacity() + self.positions.capacity()) * std::mem::size_of::<u32>()
    }

    /// Every hash within `max_distance` bits of `query`, ordered by position.
    #[must_use]
    pub fn search(&self, query: &PdqHash, max_distance: u32) -> Vec<Hit> {
        if max_distance > MAX_INDEXED_DISTANCE {
            return brute_force(&self.hashes, query, max_distance);
        }
        let n = self.hashes.len();
        let per_chunk = max_distance / CHUNKS as u32;
        let masks = masks_within(per_chunk);
        let mut candidates: Vec<u32> = Vec::new();
        for c in 0..CHUNKS {
            let table = &self.offsets[c * (BUCKETS + 1)..(c + 1) * (BUCKETS + 1)];
            let postings = &self.positions[c * n..(c + 1) * n];
            let query_chunk = chunk(query, c);
            for mask in &masks {
                let bucket = usize::from(query_chunk ^ mask);
                candidates.extend_from_slice(
                    &postings[table[bucket] as usize..table[bucket + 1] as usize],
                );
            }
        }
        // Verify each candidate once, in memory order (a hash near the query is usually found
        // through several chunks; ascending positions are kinder to the caches).
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits = Vec::new();
        for position in candidates {
            let distance = self.hashes[position as usize].distance(query);
            if distance <= max_distance {
                hits.push(Hit { position, distance });
            }
        }
        hits
    }
}

/// Every hash of `hashes` within `max_distance` of `query`, by a linear scan: the reference the
/// index must agree with, and the search for small unindexed additions.
#[must_use]
pub fn brute_force(hashes: &[PdqHash], query: &PdqHash, max_distance: u32) -> Vec<Hit> {
    (0_u32..)
        .zip(hashes)
        .filter_map(|(position, hash)| {
            let distance = hash.distance(query);
            (distance <= max_distance).then_some(Hit { position, distance })
        })
        .collect()
}

/// Every 16-bit mask with at most `bits` bits set (1 + 16 + 120 + … of them).
fn masks_within(bits: u32) -> Vec<u16> {
    fn extend(from: u32, left: u32, mask: u16, out: &mut Vec<u16>) {
        out.push(mask);
        if left == 0 {
            return;
        }
        for bit in from..16 {
            extend(bit + 1, left - 1, mask | (1 << bit), out);
        }
    }
    let mut out = Vec::new();
    extend(0, bits.min(16), 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn hash_strategy() -> impl Strategy<Value = PdqHash> {
        any::<[u64; 4]>().prop_map(PdqHash)
    }

    /// A hash `bits` bit flips away from `base`, at positions chosen by `picks`.
    fn near(base: PdqHash, picks: &[u16]) -> PdqHash {
        let mut words = base.0;
        for pick in picks {
            let bit = usize::from(*pick % 256);
            words[bit / 64] ^= 1 << (bit % 64);
        }
        PdqHash(words)
    }

    #[test]
    fn masks_are_complete_and_distinct() {
        assert_eq!(masks_within(0), vec![0]);
        assert_eq!(masks_within(1).len(), 17);
        let two = masks_within(2);
        assert_eq!(two.len(), 1 + 16 + 120);
        let mut sorted = two.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), two.len());
        assert!(two.iter().all(|m| m.count_ones() <= 2));
    }

    #[test]
    fn exact_and_boundary_distances_are_found() {
        let base = PdqHash([0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 7, 9]);
        let at_31 = near(base, &(0..31).map(|i| i * 8).collect::<Vec<_>>());
        let at_32 = near(base, &(0..32).map(|i| i * 8).collect::<Vec<_>>());
        assert_eq!(base.distance(&at_31), 31);
        assert_eq!(base.distance(&at_32), 32);
        let index = HashIndex::build(vec![at_32, base, at_31]);
        let hits = index.search(&base, 31);
        assert_eq!(
            hits,
            vec![
                Hit {
                    position: 1,
                    distance: 0
                },
                Hit {
                    position: 2,
                    distance: 31
                }
            ]
        );
        assert!(HashIndex::build(Vec::new()).search(&base, 31).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn index_returns_exactly_what_brute_force_returns(
            random in prop::collection::vec(hash_strategy(), 0..300),
            bases in prop::collection::vec(hash_strategy(), 1..5),
            flips in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..45), 0..60),
            query_pick in any::<prop::sample::Index>(),
            query_flips in prop::collection::vec(any::<u16>(), 0..20),
            max_distance in 0_u32..=70,
        ) {
            // Clusters of near neighbours around a few bases, plus unrelated random hashes.
            let mut hashes = random;
            for (i, picks) in flips.iter().enumerate() {
                hashes.push(near(bases[i % bases.len()], picks));
            }
            let base = bases[query_pick.index(bases.len())];
            let query = near(base, &query_flips);
            let index = HashIndex::build(hashes.clone());
            prop_assert_eq!(index.search(&query, max_distance), brute_force(&hashes, &query, max_distance));
        }

        #[test]
        fn duplicates_are_all_reported(hash in hash_strategy(), copies in 1_usize..5) {
            let index = HashIndex::build(vec![hash; copies]);
            prop_assert_eq!(index.search(&hash, 0).len(), copies);
        }
    }
}
