//! Finding every known hash within a Hamming distance of a query: multi-index hashing.
//!
//! The 256 bits are cut into `m` chunks. If two hashes differ in at most `r` bits and chunk `i`
//! is given a threshold `t_i` with `Σ (t_i + 1) ≥ r + 1`, some chunk differs in at most `t_i`
//! bits (generalised pigeonhole: were every chunk `i` at least `t_i + 1` bits apart, the hashes
//! would be at least `r + 1` apart). So each chunk has a table from its value to the hashes with
//! that value, and a query probes, per chunk, every value within `t_i` bits of its own chunk,
//! then checks the full distance of each candidate. That returns exactly what a linear scan
//! returns, touching a few thousand candidates instead of every hash. The thresholds are spread
//! as evenly as the sum allows, the larger ones on the wider chunks; a threshold of −1 skips a
//! chunk. With `r = 31` and 11 chunks that is ten chunks at 2 and one at 1, where the plain
//! `⌊r / m⌋` would put all eleven at 2 (and 12 chunks would need eight at 2 and four at 1).
//!
//! Two layouts, for uniformly random hashes at `r = 31`:
//! - up to 2 M hashes, 16 chunks of 16 bits, every threshold 1: 17 probes per chunk, 272 in
//!   all, ~4,150 candidates at a million; 32 MB of hashes, 16 × 4 MB of positions, 4 MB of
//!   offsets (~100 bytes per hash);
//! - beyond, 11 chunks of 23–24 bits (ten at threshold 2, one at 1): ~2,870 probes but only
//!   ~2,900 candidates at ten million (`N / 2^23` ≈ 1.2 per bucket), where 16 chunks would give
//!   ~41,000 and 12 chunks of 21–22 bits ~7,300; the offset tables cost a fixed ~470 MB.
//!
//! Tables are a compact CSR layout: offsets per bucket, then positions. A search runs in three
//! passes, each a batch of independent memory reads the CPU can overlap (bucket bounds, then
//! the positions in the buckets, then the candidates' hashes), rather than one chain of three
//! dependent cache misses per candidate.

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
    /// 11 chunks of 23 or 24 bits: few candidates for tens of millions.
    Wide,
}

impl Layout {
    /// (first bit, width) of each chunk; widths add up to 256.
    fn chunks(self) -> Vec<(u32, u32)> {
        let widths: Vec<u32> = match self {
            Self::Narrow => vec![16; 16],
            Self::Wide => [vec![24; 3], vec![23; 8]].concat(),
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

/// Per chunk, the most bits it may differ by and still be probed (`-1`: not probed), such that
/// `Σ (t_i + 1) = max_distance + 1`: any hash within `max_distance` matches some chunk within
/// its threshold. Thresholds differ by at most one; the larger go to the wider chunks (fewer
/// hashes per bucket), ties to the earlier.
fn thresholds(chunks: &[(u32, u32)], max_distance: u32) -> Vec<i32> {
    let m = u32::try_from(chunks.len()).unwrap_or(u32::MAX).max(1);
    let budget = max_distance + 1;
    // Both fit: max_distance is at most MAX_INDEXED_DISTANCE.
    let base = i32::try_from(budget / m).unwrap_or(i32::MAX) - 1;
    let extra = (budget % m) as usize;
    let mut order: Vec<usize> = (0..chunks.len()).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(chunks[c].1));
    let mut out = vec![base; chunks.len()];
    for &c in order.iter().take(extra) {
        out[c] = base + 1;
    }
    out
}

/// Hamming distance, or anything above `max_distance` once the first half already exceeds it
/// (for random candidates, 128 bits differ in ~64 ± 6, so the second half is rarely needed).
#[inline]
fn distance_within(a: &PdqHash, b: &PdqHash, max_distance: u32) -> u32 {
    let first = (a.0[0] ^ b.0[0]).count_ones() + (a.0[1] ^ b.0[1]).count_ones();
    if first > max_distance {
        return first;
    }
    first + (a.0[2] ^ b.0[2]).count_ones() + (a.0[3] ^ b.0[3]).count_ones()
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
        self.search_counting(query, max_distance).0
    }

    /// [`Self::search`], with the number of buckets probed and of candidates verified (the cache
    /// misses that bound a lookup), for tuning and benchmarks.
    #[must_use]
    pub fn search_counting(&self, query: &PdqHash, max_distance: u32) -> (Vec<Hit>, SearchCost) {
        if max_distance > MAX_INDEXED_DISTANCE {
            let hits = brute_force(&self.hashes, query, max_distance);
            let cost = SearchCost {
                probes: 0,
                candidates: self.hashes.len(),
            };
            return (hits, cost);
        }
        let n = self.hashes.len();
        let limits = thresholds(&self.chunks, max_distance);
        let mut masks: Vec<((u32, i32), Vec<u32>)> = Vec::new();
        // Pass 1: the bounds of every non-empty bucket probed (independent loads of offsets).
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut probes = 0;
        for (c, (&spec, &limit)) in self.chunks.iter().zip(&limits).enumerate() {
            let Ok(bits) = u32::try_from(limit) else {
                continue;
            };
            let width = spec.1;
            let index = match masks.iter().position(|(key, _)| *key == (width, limit)) {
                Some(i) => i,
                None => {
                    masks.push(((width, limit), masks_within(width, bits)));
                    masks.len() - 1
                }
            };
            let start = self.table_starts[c];
            let table = &self.offsets[start..=start + (1_usize << width)];
            let base = c * n;
            let query_chunk = extract(query, spec);
            let chunk_masks = &masks[index].1;
            probes += chunk_masks.len();
            for mask in chunk_masks {
                let bucket = (query_chunk ^ mask) as usize;
                let (from, to) = (table[bucket] as usize, table[bucket + 1] as usize);
                if from != to {
                    ranges.push((base + from, base + to));
                }
            }
        }
        // Pass 2: the positions in those buckets (independent loads of postings).
        let mut candidates: Vec<u32> = Vec::with_capacity(ranges.len() * 2);
        for &(from, to) in &ranges {
            candidates.extend_from_slice(&self.positions[from..to]);
        }
        // Pass 3: each candidate's distance (independent loads of hashes). A hash near the query
        // is usually reached through several chunks, so hits, not candidates, are deduplicated.
        let mut hits = Vec::new();
        for &position in &candidates {
            let distance = distance_within(&self.hashes[position as usize], query, max_distance);
            if distance <= max_distance {
                hits.push(Hit { position, distance });
            }
        }
        hits.sort_unstable();
        hits.dedup();
        let cost = SearchCost {
            probes,
            candidates: candidates.len(),
        };
        (hits, cost)
    }
}

/// What one search touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchCost {
    /// Buckets probed (one offsets read each).
    pub probes: usize,
    /// Candidates whose full distance was checked (duplicates included).
    pub candidates: usize,
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
    fn thresholds_satisfy_the_pigeonhole_bound() {
        for layout in [Layout::Narrow, Layout::Wide] {
            let chunks = layout.chunks();
            for r in 0..=MAX_INDEXED_DISTANCE {
                let t = thresholds(&chunks, r);
                let sum: i32 = t.iter().map(|t| t + 1).sum();
                assert_eq!(sum, i32::try_from(r).unwrap() + 1, "{layout:?} r={r}");
                let (lo, hi) = (t.iter().min().unwrap(), t.iter().max().unwrap());
                assert!(hi - lo <= 1 && *lo >= -1, "{layout:?} r={r}: {t:?}");
            }
        }
        let wide = thresholds(&Layout::Wide.chunks(), 31);
        assert_eq!(wide, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
        assert_eq!(thresholds(&Layout::Narrow.chunks(), 31), [1; 16]);
        assert_eq!(thresholds(&Layout::Narrow.chunks(), 0)[..2], [0, -1]);
    }

    /// The hardest neighbours for the pigeonhole: at distance `r`, every chunk but one differs
    /// by one bit more than its threshold, so exactly one chunk (the last one filled) can find it.
    /// Planted for many `r`, with the lone reachable chunk in every position, plus one bit beyond.
    #[test]
    fn neighbours_reachable_through_a_single_chunk_are_found() {
        let base = PdqHash([
            0x9e37_79b9_7f4a_7c15,
            0xbf58_476d_1ce4_e5b9,
            0x94d0_49bb_1331_11eb,
            0x2545_f491_4f6c_dd1d,
        ]);
        let distances = [0, 1, 5, 10, 11, 15, 16, 17, 21, 22, 30, 31, 32, 33, 47, 63];
        for layout in [Layout::Narrow, Layout::Wide] {
            let chunks = layout.chunks();
            let mut hashes: Vec<PdqHash> = (0..200_u64)
                .map(|i| {
                    PdqHash([
                        i.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                        !i,
                        i << 7,
                        i ^ 0xffff,
                    ])
                })
                .collect();
            let mut planted = Vec::new();
            for r in distances {
                let limits = thresholds(&chunks, r);
                for slack in 0..chunks.len() {
                    let mut picks = Vec::new();
                    let mut left = r;
                    for k in 0..chunks.len() {
                        let c = (slack + 1 + k) % chunks.len();
                        let (start, width) = chunks[c];
                        let take = u32::try_from(limits[c] + 1).unwrap().min(width).min(left);
                        left -= take;
                        picks.extend((0..take).map(|i| u16::try_from(start + i).unwrap()));
                    }
                    assert_eq!(left, 0);
                    let hash = near(base, &picks);
                    assert_eq!(hash.distance(&base), r);
                    planted.push((r, u32::try_from(hashes.len()).unwrap()));
                    hashes.push(hash);
                    // One more bit, inside the chunk that alone could find `hash`.
                    hashes.push(near(
                        hash,
                        &[u16::try_from(chunks[slack].0 + chunks[slack].1 - 1).unwrap()],
                    ));
                }
            }
            let index = HashIndex::build_with(hashes.clone(), layout);
            for r in distances {
                let found = index.search(&base, r);
                assert_eq!(found, brute_force(&hashes, &base, r), "{layout:?} r={r}");
                for &(at, position) in &planted {
                    let hit = Hit {
                        position,
                        distance: at,
                    };
                    assert_eq!(found.contains(&hit), at <= r, "{layout:?} r={r} {hit:?}");
                }
            }
        }
    }

    #[test]
    fn masks_are_complete_and_distinct() {
        assert_eq!(masks_within(16, 0), vec![0]);
        assert_eq!(masks_within(16, 1).len(), 17);
        assert_eq!(masks_within(23, 2).len(), 1 + 23 + 253);
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
        // Building the wide layout zeroes and sums ~117 M offsets: few cases, many queries each.
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn index_returns_exactly_what_brute_force_returns(
            random in prop::collection::vec(hash_strategy(), 0..300),
            bases in prop::collection::vec(hash_strategy(), 1..5),
            flips in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..45), 0..60),
            queries in prop::collection::vec(
                (any::<prop::sample::Index>(), prop::collection::vec(any::<u16>(), 0..20), 0_u32..=70),
                1..8,
            ),
        ) {
            // Clusters of near neighbours around a few bases, plus unrelated random hashes.
            let mut hashes = random;
            for (i, picks) in flips.iter().enumerate() {
                hashes.push(near(bases[i % bases.len()], picks));
            }
            for layout in [Layout::Narrow, Layout::Wide] {
                let index = HashIndex::build_with(hashes.clone(), layout);
                for (pick, query_flips, max_distance) in &queries {
                    let query = near(bases[pick.index(bases.len())], query_flips);
                    for r in [*max_distance, 31] {
                        let expected = brute_force(&hashes, &query, r);
                        prop_assert_eq!(index.search(&query, r), expected, "{:?} r={}", layout, r);
                    }
                }
            }
        }

        #[test]
        fn duplicates_are_all_reported(hash in hash_strategy(), copies in 1_usize..5) {
            let index = HashIndex::build(vec![hash; copies]);
            prop_assert_eq!(index.search(&hash, 0).len(), copies);
        }
    }
}
