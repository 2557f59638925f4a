//! The screening text path: normalisation (NFKD, case folding, boundaries) and the term matcher
//! built from fuzzed patterns and run over fuzzed text. Properties: no panic, boundaries inside
//! the normalised text, normalising twice changes nothing, and every pattern that survives
//! normalisation is found in its own normalised text.
#![no_main]

use genuine_listing::screening::matcher::TermMatcher;
use genuine_listing::screening::normalize::{normalize, normalize_with_boundaries};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    // "patterns\ntext": up to eight patterns separated by '|' on the first line.
    let (head, text) = input.split_once('\n').unwrap_or((input, input));
    let patterns: Vec<&str> = head.split('|').take(8).collect();

    let normalized = normalize_with_boundaries(text);
    let canonical = normalized.as_str();
    assert!(!normalized.is_whole_words(canonical.len() + 1, canonical.len() + 1));
    assert_eq!(
        normalize(canonical),
        canonical,
        "normalisation is idempotent"
    );

    let indexed = || patterns.iter().enumerate().map(|(i, p)| (i as u32, *p));
    let Ok(matcher) = TermMatcher::build(indexed(), indexed()) else {
        return;
    };
    let _ = matcher.find(&normalized);
    for (i, pattern) in indexed() {
        let own = normalize_with_boundaries(pattern);
        if own.as_str().is_empty() {
            continue;
        }
        let hits = matcher.find(&own);
        assert!(
            hits.brands.contains(&i),
            "{pattern:?} is not found in itself"
        );
        assert!(
            hits.terms.contains(&i),
            "{pattern:?} is not found in itself"
        );
    }
});
