//! Exponential backoff with full jitter: replicas retrying a peer that just came back spread out
//! instead of arriving together.

use std::time::Duration;

use rand::Rng;

/// The longest wait before attempt `attempts + 1`: `base · 2^(attempts-1)`, capped at `cap`.
#[must_use]
pub fn ceiling(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let exponent = attempts.saturating_sub(1).min(31);
    base.saturating_mul(1u32 << exponent).min(cap)
}

/// A random wait in `[0, ceiling(attempts, base, cap)]` ("full jitter").
#[must_use]
pub fn full_jitter(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = ceiling(attempts, base, cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let (base, cap) = (Duration::from_millis(200), Duration::from_secs(300));
        assert_eq!(ceiling(1, base, cap), Duration::from_millis(200));
        assert_eq!(ceiling(2, base, cap), Duration::from_millis(400));
        assert_eq!(ceiling(4, base, cap), Duration::from_millis(1600));
        assert_eq!(ceiling(20, base, cap), cap);
        assert_eq!(ceiling(u32::MAX, base, cap), cap);
    }

    #[test]
    fn jitter_stays_under_the_ceiling() {
        let (base, cap) = (Duration::from_millis(200), Duration::from_secs(300));
        for attempts in 1..30 {
            assert!(full_jitter(attempts, base, cap) <= ceiling(attempts, base, cap));
        }
    }
}
