//! Rate limits per principal and scope with the generic cell rate algorithm (GCRA): one
//! timestamp per (subject, scope), no background task, exact `Retry-After`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::auth::Scope;

/// Entries kept before expired ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// `burst` requests at once, then one every `emission`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Time between two requests at the sustained rate.
    pub emission: Duration,
    /// Requests allowed back to back.
    pub burst: u32,
}

impl Quota {
    /// `count` requests per `period`, all of which may come at once.
    #[must_use]
    pub fn per(count: u32, period: Duration) -> Self {
        let count = count.max(1);
        Self {
            emission: period / count,
            burst: count,
        }
    }
}

/// The limiter shared by every request.
#[derive(Debug)]
pub struct RateLimiter {
    quotas: HashMap<Scope, Quota>,
    /// Theoretical arrival time of the next request, per (subject, scope).
    tat: Mutex<HashMap<(String, Scope), Instant>>,
}

impl RateLimiter {
    /// A limiter with a quota per scope; scopes without one are not limited.
    #[must_use]
    pub fn new(quotas: HashMap<Scope, Quota>) -> Self {
        Self {
            quotas,
            tat: Mutex::new(HashMap::new()),
        }
    }

    /// Admits a request of `subject` on a route needing `scope` now.
    ///
    /// # Errors
    /// How long to wait before the next request would be admitted.
    pub fn check(&self, subject: &str, scope: Scope) -> Result<(), Duration> {
        self.check_at(subject, scope, Instant::now())
    }

    fn check_at(&self, subject: &str, scope: Scope, now: Instant) -> Result<(), Duration> {
        let Some(quota) = self.quotas.get(&scope) else {
            return Ok(());
        };
        let window = quota.emission * quota.burst;
        let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        if tat.len() > SWEEP_ABOVE {
            tat.retain(|_, t| *t > now);
        }
        let key = (subject.to_owned(), scope);
        let next = tat.get(&key).copied().unwrap_or(now).max(now) + quota.emission;
        let ahead = next.saturating_duration_since(now);
        if ahead > window {
            return Err(ahead - window);
        }
        tat.insert(key, next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(count: u32, period: Duration) -> RateLimiter {
        RateLimiter::new(HashMap::from([(
            Scope::CasesRead,
            Quota::per(count, period),
        )]))
    }

    #[test]
    fn a_burst_is_admitted_then_one_per_emission_interval() {
        let limiter = limiter(3, Duration::from_secs(3));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("reg", Scope::CasesRead, t0), Ok(()));
        }
        let wait = limiter
            .check_at("reg", Scope::CasesRead, t0)
            .expect_err("burst spent");
        assert_eq!(wait, Duration::from_secs(1));
        let later = t0 + Duration::from_millis(999);
        assert!(limiter.check_at("reg", Scope::CasesRead, later).is_err());
        let later = t0 + Duration::from_secs(1);
        assert_eq!(limiter.check_at("reg", Scope::CasesRead, later), Ok(()));
        assert!(limiter.check_at("reg", Scope::CasesRead, later).is_err());
    }

    #[test]
    fn principals_and_scopes_have_their_own_budget() {
        let limiter = limiter(1, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(limiter.check_at("a", Scope::CasesRead, t0), Ok(()));
        assert!(limiter.check_at("a", Scope::CasesRead, t0).is_err());
        assert_eq!(limiter.check_at("b", Scope::CasesRead, t0), Ok(()));
        // No quota configured for the scope: not limited.
        assert_eq!(limiter.check_at("a", Scope::AuditRead, t0), Ok(()));
    }

    #[test]
    fn an_idle_principal_regains_its_full_burst() {
        let limiter = limiter(2, Duration::from_secs(2));
        let t0 = Instant::now();
        assert!(limiter.check_at("a", Scope::CasesRead, t0).is_ok());
        assert!(limiter.check_at("a", Scope::CasesRead, t0).is_ok());
        let t1 = t0 + Duration::from_secs(10);
        assert!(limiter.check_at("a", Scope::CasesRead, t1).is_ok());
        assert!(limiter.check_at("a", Scope::CasesRead, t1).is_ok());
        assert!(limiter.check_at("a", Scope::CasesRead, t1).is_err());
    }
}
