//! One pass over a listing's normalised text finds every brand name, alias and prohibited term
//! (Aho–Corasick over all of them at once), keeping matches that start and end on word
//! boundaries.

use std::collections::{BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::normalize::{NormalizedText, normalize};

/// Whose pattern matched: a brand or a prohibited term, by position in the catalogue's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// Index into the brand list.
    Brand(u32),
    /// Index into the prohibited-term list.
    Term(u32),
}

/// What one text contained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    /// Brands named, by index.
    pub brands: BTreeSet<u32>,
    /// Prohibited terms used, by index.
    pub terms: BTreeSet<u32>,
}

/// The compiled automaton and, per distinct normalised pattern, who owns it.
pub struct TermMatcher {
    automaton: Option<AhoCorasick>,
    owners: Vec<Vec<Owner>>,
}

impl std::fmt::Debug for TermMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermMatcher")
            .field("patterns", &self.owners.len())
            .finish()
    }
}

/// A pattern whose normalised form is empty ("!!!") can never match and is skipped; callers
/// validate input so that such patterns are refused with a clear message instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the term automaton could not be built: {0}")]
pub struct BuildError(String);

impl TermMatcher {
    /// Builds the matcher from raw (not yet normalised) brand names/aliases and terms.
    ///
    /// # Errors
    /// When the automaton exceeds the library's size limits.
    pub fn build<'a>(
        brand_names: impl IntoIterator<Item = (u32, &'a str)>,
        terms: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> Result<Self, BuildError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        let tagged = brand_names
            .into_iter()
            .map(|(i, name)| (Owner::Brand(i), name))
            .chain(terms.into_iter().map(|(i, term)| (Owner::Term(i), term)));
        for (owner, raw) in tagged {
            let pattern = normalize(raw);
            if pattern.is_empty() {
                continue;
            }
            let index = *slot.entry(pattern.clone()).or_insert_with(|| {
                patterns.push(pattern);
                owners.push(Vec::new());
                owners.len() - 1
            });
            if !owners[index].contains(&owner) {
                owners[index].push(owner);
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            // A DFA scans fastest; when the pattern set is too large for one, the library's
            // own choice (a contiguous NFA) takes over.
            let dfa = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns);
            Some(match dfa {
                Ok(dfa) => dfa,
                Err(_) => AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| BuildError(e.to_string()))?,
            })
        };
        Ok(Self { automaton, owners })
    }

    /// An empty matcher.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            automaton: None,
            owners: Vec::new(),
        }
    }

    /// Every brand and term in `text`, matched on whole words.
    #[must_use]
    pub fn find(&self, text: &NormalizedText) -> Hits {
        let mut hits = Hits::default();
        self.find_into(text, &mut hits);
        hits
    }

    /// Like [`TermMatcher::find`], adding to `hits` (title and description in turn).
    pub fn find_into(&self, text: &NormalizedText, hits: &mut Hits) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for found in automaton.find_overlapping_iter(text.as_str()) {
            if !text.is_whole_words(found.start(), found.end()) {
                continue;
            }
            for owner in &self.owners[found.pattern().as_usize()] {
                match *owner {
                    Owner::Brand(i) => hits.brands.insert(i),
                    Owner::Term(i) => hits.terms.insert(i),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::normalize::normalize_with_boundaries;
    use super::*;

    fn matcher() -> TermMatcher {
        TermMatcher::build(
            [
                (0, "Luxe Paris"),
                (0, "卢克斯"),
                (1, "Luxe"),
                (2, "Orbis"),
                (3, "!!!"),
            ],
            [
                (0, "replica"),
                (1, "1:1"),
                (2, "高仿"),
                (3, "AAA quality"),
                (4, "LUXE"),
            ],
        )
        .expect("builds")
    }

    fn find(text: &str) -> Hits {
        matcher().find(&normalize_with_boundaries(text))
    }

    fn set(items: &[u32]) -> BTreeSet<u32> {
        items.iter().copied().collect()
    }

    #[test]
    fn table_of_listing_texts() {
        let cases: [(&str, &[u32], &[u32]); 12] = [
            ("Genuine L.u.x.e  P-a-r-i-s handbag", &[0, 1], &[4]),
            ("ＬＵＸＥ ＰＡＲＩＳ", &[0, 1], &[4]),
            ("卢克斯 高仿 包", &[0], &[2]),
            ("正品卢克斯手袋", &[0], &[]),
            ("deluxe leather bag", &[], &[]),
            ("REPLICA orbis watch 1:1", &[2], &[0, 1]),
            ("1 : 1 copy", &[], &[1]),
            ("iPhone 11 case", &[], &[]),
            ("AAA-Quality mirror", &[], &[3]),
            ("replicas", &[], &[]),
            ("re\u{200B}plica", &[], &[0]),
            ("", &[], &[]),
        ];
        for (text, brands, terms) in cases {
            let hits = find(text);
            assert_eq!(hits.brands, set(brands), "brands in {text:?}");
            assert_eq!(hits.terms, set(terms), "terms in {text:?}");
        }
    }

    #[test]
    fn an_empty_matcher_finds_nothing() {
        let hits = TermMatcher::empty().find(&normalize_with_boundaries("replica luxe"));
        assert_eq!(hits, Hits::default());
        let none = TermMatcher::build([(0, "   ")], []).expect("builds");
        assert_eq!(
            none.find(&normalize_with_boundaries("anything")),
            Hits::default()
        );
    }

    proptest! {
        #[test]
        fn a_term_embedded_as_words_is_always_found(
            before in "[a-z ]{0,20}", after in "[a-z ]{0,20}", sep in "[ .\\-]{0,2}",
        ) {
            let spaced: String = "replica".chars().map(|c| format!("{c}{sep}")).collect();
            let text = format!("{before} {spaced} {after}");
            prop_assert!(find(&text).terms.contains(&0), "{}", text);
        }

        #[test]
        fn matches_agree_with_a_naive_search_on_word_lists(words in prop::collection::vec("(luxe|orbis|replica|bag|de|s)", 0..8)) {
            let text = words.join(" ");
            let hits = find(&text);
            prop_assert_eq!(hits.brands.contains(&1), words.iter().any(|w| w == "luxe"));
            prop_assert_eq!(hits.brands.contains(&2), words.iter().any(|w| w == "orbis"));
            prop_assert_eq!(hits.terms.contains(&0), words.iter().any(|w| w == "replica"));
        }
    }
}
