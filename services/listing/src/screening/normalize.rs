//! Text normalisation for matching: the same function runs over listing text and over brand
//! names, aliases and prohibited terms, so evasions by spelling ("L.u.x.e  P-a-r-i-s", full-width
//! "ＬＵＸＥ", "Lüxe", zero-width spaces) meet the same canonical form.
//!
//! Steps per character: Unicode compatibility decomposition (NFKD: the compatibility mapping of
//! NFKC, so full-width letters and ligatures fold; decomposed so accents can be dropped), lower
//! case, combining marks dropped, then only letters and digits kept. Everything else (space,
//! punctuation, symbols, zero-width and other format characters) is dropped. One exception: a
//! colon between two digits is kept, so "1:1" (replica jargon) does not collapse into "11".
//!
//! Word boundaries of the original text are kept beside the output, so a match can be required
//! to start and end on one: "Luxe" then matches "L.u.x.e" and "luxe-bag" but not "deluxe".
//! Every Han, kana and Hangul character counts as a word of its own (those scripts do not
//! separate words with spaces).

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Normalised text and the byte offsets at which a word starts or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    text: String,
    /// `boundary[i]`: a word starts or ends at byte offset `i` of `text` (length `text.len()+1`).
    boundary: Vec<bool>,
}

impl NormalizedText {
    /// The canonical form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `start..end` starts and ends on word boundaries.
    #[must_use]
    pub fn is_whole_words(&self, start: usize, end: usize) -> bool {
        self.boundary.get(start).copied().unwrap_or(false)
            && self.boundary.get(end).copied().unwrap_or(false)
    }
}

/// The canonical form of `input` alone (for patterns: brand names, aliases, terms).
#[must_use]
pub fn normalize(input: &str) -> String {
    normalize_with_boundaries(input).text
}

/// What kind of character was last emitted, to find boundaries between scripts and classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// Han, kana, Hangul: every character is its own word.
    Ideograph,
}

fn class_of(c: char) -> Class {
    if is_ideographic(c) {
        Class::Ideograph
    } else if c.is_numeric() {
        Class::Digit
    } else {
        Class::Letter
    }
}

/// Han (incl. extensions and compatibility ideographs), kana and Hangul.
fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3130..=0x318F    // Hangul compatibility jamo
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3FFFF) // CJK extensions B and later
}

/// Builds the canonical form and its word boundaries in one pass.
#[must_use]
pub fn normalize_with_boundaries(input: &str) -> NormalizedText {
    let mut out = Builder::with_capacity(input.len());
    for c in input.chars() {
        if c.is_ascii() {
            // ASCII is its own compatibility decomposition: skip the Unicode tables.
            out.push_ascii(c.to_ascii_lowercase());
        } else {
            // Per-character decomposition equals NFKD up to the order of combining marks, and
            // those are dropped.
            decompose_compatible(c, |d| {
                for lower in d.to_lowercase() {
                    if !is_combining_mark(lower) {
                        out.push(lower);
                    }
                }
            });
        }
    }
    out.finish()
}

struct Builder {
    text: String,
    boundary: Vec<bool>,
    last: Option<Class>,
    /// A separator was dropped since the last kept character.
    separated: bool,
    /// A colon followed a digit; kept only if a digit comes next (ignoring spaces).
    pending_colon: bool,
}

impl Builder {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            text: String::with_capacity(capacity),
            boundary: Vec::with_capacity(capacity + 1),
            last: None,
            separated: false,
            pending_colon: false,
        }
    }

    /// ASCII letters and digits, most of every listing, skip the Unicode class tables.
    fn push_ascii(&mut self, c: char) {
        if c.is_ascii_digit() {
            self.keep_as(c, Class::Digit);
        } else if c.is_ascii_alphabetic() {
            self.keep_as(c, Class::Letter);
        } else {
            self.push(c);
        }
    }

    fn push(&mut self, c: char) {
        if c.is_alphanumeric() {
            self.keep(c);
        } else if is_invisible(c) {
            // Zero-width and format characters: neither a character nor a separator.
        } else if c == ':' && self.last == Some(Class::Digit) {
            self.pending_colon = true;
        } else if c.is_whitespace() && self.pending_colon {
            // "1 : 1": spaces around the ratio colon do not cancel it.
        } else {
            self.separated = true;
            self.pending_colon = false;
        }
    }

    fn keep(&mut self, c: char) {
        self.keep_as(c, class_of(c));
    }

    #[inline]
    fn keep_as(&mut self, c: char, class: Class) {
        if self.pending_colon && class == Class::Digit {
            // The colon sits inside a number-like token: no boundary around it.
            self.boundary.push(false);
            self.text.push(':');
            self.boundary
                .extend(std::iter::repeat_n(false, ':'.len_utf8() - 1));
            self.pending_colon = false;
            self.separated = false;
        } else if self.pending_colon {
            self.pending_colon = false;
            self.separated = true;
        }
        let at_boundary = match self.last {
            None => true,
            Some(last) => self.separated || last != class || class == Class::Ideograph,
        };
        self.boundary.push(at_boundary);
        if !c.is_ascii() {
            self.boundary
                .extend(std::iter::repeat_n(false, c.len_utf8() - 1));
        }
        self.text.push(c);
        self.last = Some(class);
        self.separated = false;
    }

    fn finish(mut self) -> NormalizedText {
        self.boundary.push(true);
        NormalizedText {
            text: self.text,
            boundary: self.boundary,
        }
    }
}

/// Zero-width and other invisible format characters that evaders slip between letters.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD               // soft hyphen
        | 0x034F             // combining grapheme joiner
        | 0x061C             // Arabic letter mark
        | 0x115F | 0x1160    // Hangul fillers
        | 0x180B..=0x180F    // Mongolian variation selectors and vowel separator
        | 0x200B..=0x200F    // zero-width space, (non-)joiner, direction marks
        | 0x202A..=0x202E    // bidirectional embedding
        | 0x2060..=0x2064    // word joiner, invisible operators
        | 0x2066..=0x206F    // bidirectional isolates, deprecated format
        | 0x3164             // Hangul filler
        | 0xFE00..=0xFE0F    // variation selectors
        | 0xFEFF             // zero-width no-break space
        | 0xFFA0             // half-width Hangul filler
        | 0xE0000..=0xE0FFF) // tags, variation selectors supplement
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    use super::*;

    #[test]
    fn table_of_canonical_forms() {
        let cases = [
            ("Luxe Paris", "luxeparis"),
            ("L.u.x.e  P-a-r-i-s", "luxeparis"),
            ("ＬＵＸＥ ＰＡＲＩＳ", "luxeparis"),
            ("Lu\u{200B}xe\u{FEFF} Pa\u{200D}ris", "luxeparis"),
            ("Lüxe Pâris", "luxeparis"),
            ("LUXE_PARIS!!!", "luxeparis"),
            ("卢克斯 手袋", "卢克斯手袋"),
            ("高 仿", "高仿"),
            ("1:1 copy", "1:1copy"),
            ("1 : 1 copy", "1:1copy"),
            ("１：１", "1:1"),
            ("iPhone 11", "iphone11"),
            ("time: 10", "time10"),
            ("AAA-Quality", "aaaquality"),
            ("ﬁne", "fine"),
            ("", ""),
            ("!!! ... ---", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input), expected, "{input:?}");
        }
    }

    #[test]
    fn boundaries_separate_words_but_not_spaced_letters() {
        let text = normalize_with_boundaries("deluxe L.u.x.e bag");
        let s = text.as_str();
        assert_eq!(s, "deluxeluxebag");
        // "luxe" inside "deluxe" does not start on a boundary.
        assert!(!text.is_whole_words(2, 6));
        // the spaced-out "l.u.x.e" is whole words.
        assert!(text.is_whole_words(6, 10));
        assert!(text.is_whole_words(0, 6));
    }

    #[test]
    fn every_han_character_is_a_word() {
        let text = normalize_with_boundaries("正品卢克斯包");
        let start = "正品".len();
        let end = start + "卢克斯".len();
        assert!(text.is_whole_words(start, end));
    }

    #[test]
    fn letters_and_digits_meet_on_a_boundary() {
        let text = normalize_with_boundaries("2024luxe");
        assert!(text.is_whole_words(4, 8));
        let ratio = normalize_with_boundaries("x 1:1 y");
        assert_eq!(ratio.as_str(), "x1:1y");
        assert!(ratio.is_whole_words(1, 4));
        assert!(!ratio.is_whole_words(1, 2));
    }

    proptest! {
        #[test]
        fn nfkc_equivalent_inputs_normalise_alike(s in "\\PC{0,40}") {
            let composed: String = s.nfkc().collect();
            prop_assert_eq!(normalize(&s), normalize(&composed));
        }

        #[test]
        fn normalising_twice_changes_nothing(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn output_has_only_lowercase_letters_digits_and_ratio_colons(s in "\\PC{0,40}") {
            let out = normalize(&s);
            for c in out.chars() {
                prop_assert!(c.is_alphanumeric() || c == ':', "{:?}", c);
                prop_assert!(c.to_lowercase().eq(std::iter::once(c)), "{:?}", c);
            }
        }

        #[test]
        fn separators_between_letters_do_not_matter(word in "[a-z]{1,12}", sep in "[ .\\-_*/\u{200B}]{0,3}") {
            let spaced: String = word.chars().map(|c| format!("{c}{sep}")).collect();
            prop_assert_eq!(normalize(&spaced), word);
        }

        #[test]
        fn boundaries_cover_every_byte_offset(s in "\\PC{0,40}") {
            let text = normalize_with_boundaries(&s);
            prop_assert_eq!(text.boundary.len(), text.text.len() + 1);
            prop_assert!(text.is_whole_words(0, text.text.len()));
        }
    }
}
