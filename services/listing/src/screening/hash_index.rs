//! Finding every known hash within a Hamming distance of a query: multi-index hashing.
//!
//! The 256 bits are cut into `m` chunks. If two hashes differ in at most `r` bits, some chunk
//! differs in at most `r / m` bits (pigeonhole). So each chunk has a table from its value to the
//! hashes with that value, and a query probes, per chunk, every value within `r / m` bits of its
//! own chunk, then checks the full distance of each candidate once. That returns exactly what a
//! linear scan returns, touching a few thousand candidates instead of every hash.
//!
//! Two layouts: up to 2 M hashes, 16 chunks of 16 bits (17 probes per chunk at `r = 31`; at a
//! million hashes 32 MB of hashes, 16 × 4 MB of positions, 4 MB of offsets); beyond, 12 chunks
//! of 21–22 bits (`r / 12 = 2`: ~240 probes per chunk, but ~4× fewer candidates, which are the
//! cache misses that dominate at ten million).
//!
//! Tables are a compact CSR layout: offsets per bucket, then positions.

use super::pdq::PdqHash;

/// Above this distance, probing costs more than it saves; searches fall back to a scan.
pub const MAX_INDEXED_DISTANCE: u32 = 63;
/// Sets larger than this use the wide layout.
const WIDE_FROM: usize = 2_000_000;

/// How the 256 bits are cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 16 chunks of 16 bits: compact, for up to a few million hashes.
    Narrow,
    /// 12 chunks of 21 or 22 bits: fewer candidates for tens of millions.
    Wide,
}

impl Layout {
    /// (first bit, width) of each chunk; widths add up to 256.
    fn chunks(self) -> Vec<(u32, u32)> {
        let widths: Vec<u32> = match self {
            Self::Narrow => vec![16; 16],
            Self::Wide => [vec![21; 8], vec![22; 4]].concat(),
        };
        let mut start = 0;
        widths
            .into_iter()
            .map(|w| {
                let chunk = (start, w);
                start += w;
                chunk
            })
            .collect()
    }

    /// The layout for `n` hashes.
    #[must_use]
    pub fn for_len(n: usize) -> Self {
        if n > WIDE_FROM {
            Self::Wide
        } else {
            Self::Narrow
        }
    }
}

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
    /// (first bit, width) per chunk.
    chunks: Vec<(u32, u32)>,
    /// Where each chunk's offsets start in `offsets`.
    table_starts: Vec<usize>,
    /// Per chunk, `2^width + 1` start offsets into that chunk's positions.
    offsets: Vec<u32>,
    /// `chunks * len` positions, grouped by chunk then bucket.
    positions: Vec<u32>,
}

impl std::fmt::Debug for HashIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashIndex")
            .field("len", &self.hashes.len())
            .field("chunks", &self.chunks.len())
            .finish_non_exhaustive()
    }
}

/// Bits `start .. start + width` of `hash` (width at most 32).
fn extract(hash: &PdqHash, (start, width): (u32, u32)) -> u32 {
    let word = (start / 64) as usize;
    let shift = start % 64;
    let mut value = hash.0[word] >> shift;
    if shift + width > 64 {
        value |= hash.0[word + 1] << (64 - shift);
    }
    // Truncation to the chunk's width is the point.
    #[allow(clippy::cast_possible_truncation)]
    let chunk = (value & ((1_u64 << width) - 1)) as u32;
    chunk
}

impl HashIndex {
    /// Builds the index with the layout suited to the set's size; positions follow the order of
    /// `hashes`.
    ///
    /// # Panics
    /// Never for fewer than 2^32 hashes; more cannot be addressed and is refused.
    #[must_use]
    pub fn build(hashes: Vec<PdqHash>) -> Self {
        let layout = Layout::for_len(hashes.len());
        Self::build_with(hashes, layout)
    }

    /// Builds the index with a given layout.
    ///
    /// # Panics
    /// Never for fewer than 2^32 hashes; more cannot be addressed and is refused.
    #[must_use]
    pub fn build_with(hashes: Vec<PdqHash>, layout: Layout) -> Self {
        assert!(
            u32::try_from(hashes.len()).is_ok(),
            "at most 2^32 - 1 hashes per index"
        );
        let n = hashes.len();
        let chunks = layout.chunks();
        let mut table_starts = Vec::with_capacity(chunks.len());
        let mut total = 0;
        for (_, width) in &chunks {
            table_starts.push(total);
            total += (1_usize << width) + 1;
        }
        let mut offsets = vec![0_u32; total];
        let mut positions = vec![0_u32; chunks.len() * n];
        for (c, &spec) in chunks.iter().enumerate() {
            let buckets = 1_usize << spec.1;
            let table = &mut offsets[table_starts[c]..=table_starts[c] + buckets];
            for hash in &hashes {
                table[extract(hash, spec) as usize + 1] += 1;
            }
            for b in 0..buckets {
                table[b + 1] += table[b];
            }
            let mut cursor: Vec<u32> = table[..buckets].to_vec();
            let out = &mut positions[c * n..(c + 1) * n];
            for (position, hash) in (0_u32..).zip(&hashes) {
                let bucket = extract(hash, spec) as usize;
                out[cursor[bucket] as usize] = position;
                cursor[bucket] += 1;
            }
        }
        Self {
            hashes,
            chunks,
            table_starts,
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
        let per_chunk = max_distance / u32::try_from(self.chunks.len()).unwrap_or(u32::MAX);
        let mut masks: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut candidates: Vec<u32> = Vec::new();
        for (c, &spec) in self.chunks.iter().enumerate() {
            let width = spec.1;
            let index = match masks.iter().position(|(w, _)| *w == width) {
                Some(i) => i,
                None => {
                    masks.push((width, masks_within(width, per_chunk)));
                    masks.len() - 1
                }
            };
            let start = self.table_starts[c];
            let table = &self.offsets[start..=start + (1_usize << width)];
            let postings = &self.positions[c * n..(c + 1) * n];
            let query_chunk = extract(query, spec);
            for mask in &masks[index].1 {
                let bucket = (query_chunk ^ mask) as usize;
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

/// Every `width`-bit mask with at most `bits` bits set (for 16 bits: 1 + 16 + 120 + … of them).
fn masks_within(width: u32, bits: u32) -> Vec<u32> {
    fn extend(from: u32, width: u32, left: u32, mask: u32, out: &mut Vec<u32>) {
        out.push(mask);
        if left == 0 {
            return;
        }
        for bit in from..width {
            extend(bit + 1, width, left - 1, mask | (1 << bit), out);
        }
    }
    let mut out = Vec::new();
    extend(0, width, bits.min(width), 0, &mut out);
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
    fn chunks_cover_every_bit_once() {
        let hash = PdqHash([
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
            u64::MAX,
            0x8000_0000_0000_0001,
        ]);
        for layout in [Layout::Narrow, Layout::Wide] {
            let chunks = layout.chunks();
            assert_eq!(chunks.iter().map(|(_, w)| w).sum::<u32>(), 256);
            let mut rebuilt = [0_u64; 4];
            for spec in chunks {
                let value = u64::from(extract(&hash, spec));
                for i in 0..spec.1 {
                    let bit = spec.0 + i;
                    rebuilt[(bit / 64) as usize] |= ((value >> i) & 1) << (bit % 64);
                }
            }
            assert_eq!(PdqHash(rebuilt), hash, "{layout:?}");
        }
        assert_eq!(Layout::for_len(1_000_000), Layout::Narrow);
        assert_eq!(Layout::for_len(10_000_000), Layout::Wide);
    }

    #[test]
    fn masks_are_complete_and_distinct() {
        assert_eq!(masks_within(16, 0), vec![0]);
        assert_eq!(masks_within(16, 1).len(), 17);
        assert_eq!(masks_within(21, 2).len(), 1 + 21 + 210);
        let two = masks_within(16, 2);
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
        for layout in [Layout::Narrow, Layout::Wide] {
            let index = HashIndex::build_with(vec![at_32, base, at_31], layout);
            let expected = vec![
                Hit {
                    position: 1,
                    distance: 0,
                },
                Hit {
                    position: 2,
                    distance: 31,
                },
            ];
            assert_eq!(index.search(&base, 31), expected, "{layout:?}");
        }
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
            let expected = brute_force(&hashes, &query, max_distance);
            for layout in [Layout::Narrow, Layout::Wide] {
                let index = HashIndex::build_with(hashes.clone(), layout);
                prop_assert_eq!(index.search(&query, max_distance), expected.clone(), "{:?}", layout);
            }
        }

        #[test]
        fn duplicates_are_all_reported(hash in hash_strategy(), copies in 1_usize..5) {
            let index = HashIndex::build(vec![hash; copies]);
            prop_assert_eq!(index.search(&hash, 0).len(), copies);
        }
    }
}
