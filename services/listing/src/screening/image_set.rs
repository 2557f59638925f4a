//! The known-counterfeit hashes: a large indexed base plus a small unindexed tail of recent
//! additions, so adding hashes is cheap and the index is rebuilt only when the tail grows.

use std::collections::HashMap;
use std::sync::Arc;

use super::hash_index::{HashIndex, brute_force};
use super::pdq::PdqHash;

/// The tail is folded into the index once it holds this many hashes, or 1/16 of the base.
const MIN_TAIL_BEFORE_REBUILD: usize = 4096;

/// A known-counterfeit hash close to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMatch {
    /// The known hash.
    pub hash: PdqHash,
    /// The brand it was reported for.
    pub brand_id: String,
    /// Differing bits.
    pub distance: u32,
}

/// Known-counterfeit hashes, each labelled with its brand. Cheap to clone (shared base).
#[derive(Debug, Clone)]
pub struct ImageSet {
    base: Arc<HashIndex>,
    base_labels: Arc<Vec<u32>>,
    tail: Vec<PdqHash>,
    tail_labels: Vec<u32>,
    brands: Vec<String>,
    brand_slots: HashMap<String, u32>,
}

impl Default for ImageSet {
    fn default() -> Self {
        Self {
            base: Arc::new(HashIndex::build(Vec::new())),
            base_labels: Arc::new(Vec::new()),
            tail: Vec::new(),
            tail_labels: Vec::new(),
            brands: Vec::new(),
            brand_slots: HashMap::new(),
        }
    }
}

impl ImageSet {
    /// All hashes indexed at once.
    #[must_use]
    pub fn build(entries: impl IntoIterator<Item = (PdqHash, String)>) -> Self {
        let mut builder = ImageSetBuilder::default();
        for (hash, brand) in entries {
            builder.push(hash, &brand);
        }
        builder.finish()
    }

    /// A copy with `entries` added; the index is rebuilt only when the tail has grown large.
    #[must_use]
    pub fn with_added(&self, entries: impl IntoIterator<Item = (PdqHash, String)>) -> Self {
        let mut next = self.clone();
        for (hash, brand) in entries {
            let slot = next.slot(&brand);
            next.tail.push(hash);
            next.tail_labels.push(slot);
        }
        if next.tail.len() >= MIN_TAIL_BEFORE_REBUILD.max(next.base.len() / 16) {
            let mut hashes = next.base.hashes().to_vec();
            hashes.append(&mut next.tail);
            let mut labels = next.base_labels.as_ref().clone();
            labels.append(&mut next.tail_labels);
            next.base = Arc::new(HashIndex::build(hashes));
            next.base_labels = Arc::new(labels);
        }
        next
    }

    /// The brand's label; a brand's name is stored once however many hashes it has.
    fn slot(&mut self, brand: &str) -> u32 {
        if let Some(slot) = self.brand_slots.get(brand) {
            return *slot;
        }
        let slot = u32::try_from(self.brands.len()).unwrap_or(u32::MAX);
        self.brands.push(brand.to_owned());
        self.brand_slots.insert(brand.to_owned(), slot);
        slot
    }

    /// Number of hashes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.base.len() + self.tail.len()
    }

    /// Whether there is no hash.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every known hash within `max_distance` of `query`, nearest first.
    #[must_use]
    pub fn matches(&self, query: &PdqHash, max_distance: u32) -> Vec<ImageMatch> {
        let label = |slot: u32| self.brands.get(slot as usize).cloned().unwrap_or_default();
        let mut found: Vec<ImageMatch> = self
            .base
            .search(query, max_distance)
            .into_iter()
            .filter_map(|hit| {
                Some(ImageMatch {
                    hash: *self.base.get(hit.position)?,
                    brand_id: label(*self.base_labels.get(hit.position as usize)?),
                    distance: hit.distance,
                })
            })
            .collect();
        found.extend(
            brute_force(&self.tail, query, max_distance)
                .into_iter()
                .filter_map(|hit| {
                    Some(ImageMatch {
                        hash: *self.tail.get(hit.position as usize)?,
                        brand_id: label(*self.tail_labels.get(hit.position as usize)?),
                        distance: hit.distance,
                    })
                }),
        );
        found.sort_by(|a, b| {
            a.distance
                .cmp(&b.distance)
                .then(a.brand_id.cmp(&b.brand_id))
        });
        found
    }
}

/// Collects hashes one at a time straight into the index's arrays (a hash and a 4-byte brand
/// label each), so that loading a million rows keeps no per-row string.
#[derive(Debug, Default)]
pub struct ImageSetBuilder {
    set: ImageSet,
    hashes: Vec<PdqHash>,
    labels: Vec<u32>,
}

impl ImageSetBuilder {
    /// Adds a hash reported for `brand`.
    pub fn push(&mut self, hash: PdqHash, brand: &str) {
        let slot = self.set.slot(brand);
        self.hashes.push(hash);
        self.labels.push(slot);
    }

    /// Hashes added so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether nothing was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Indexes the hashes.
    #[must_use]
    pub fn finish(self) -> ImageSet {
        let mut set = self.set;
        set.base = Arc::new(HashIndex::build(self.hashes));
        set.base_labels = Arc::new(self.labels);
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(seed: u64) -> PdqHash {
        PdqHash([
            seed,
            seed.rotate_left(17),
            !seed,
            seed.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        ])
    }

    #[test]
    fn additions_are_found_before_and_after_the_rebuild() {
        let set = ImageSet::build([(h(1), "a".to_owned())]);
        let mut grown = set.with_added([(h(2), "b".to_owned())]);
        assert_eq!(grown.matches(&h(2), 0)[0].brand_id, "b");
        assert_eq!(grown.matches(&h(1), 0)[0].brand_id, "a");
        assert!(
            set.matches(&h(2), 0).is_empty(),
            "the old snapshot is unchanged"
        );
        let many: Vec<_> = (10..(10 + MIN_TAIL_BEFORE_REBUILD as u64))
            .map(|i| (h(i), "c".to_owned()))
            .collect();
        grown = grown.with_added(many);
        assert!(grown.tail.is_empty(), "tail folded into the index");
        assert_eq!(grown.len(), 2 + MIN_TAIL_BEFORE_REBUILD);
        assert_eq!(grown.matches(&h(2), 0)[0].brand_id, "b");
        assert_eq!(grown.matches(&h(11), 0)[0].brand_id, "c");
    }
}
