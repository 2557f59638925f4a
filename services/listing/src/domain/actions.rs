//! Action generations of a case's measures. A case can act on its listing more than once — a
//! rejection restores it, a reversed rejection takes it down again — so (listing, case) alone
//! cannot tell a new action from a late duplicate of an old one. Enforcement sends each action
//! with its own id (its outbox key, `<case>/take_down/<n>` or `<case>/restore/<n>`, where `n`
//! counts every action of the case): the same id is a repeat, a higher `n` supersedes, a lower
//! one arrived late and changes nothing.

/// An action's idempotency key and the generation parsed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action<'a> {
    /// The id as sent.
    pub id: &'a str,
    /// The trailing number of the id, when it has one; ids without one are only compared for
    /// equality.
    pub generation: Option<i64>,
}

impl<'a> Action<'a> {
    /// The action named by `action_id`; `None` for an empty id (a caller without generations,
    /// such as an admin, for whom the (listing, case) key alone is the idempotency key).
    #[must_use]
    pub fn parse(action_id: &'a str) -> Option<Self> {
        if action_id.is_empty() {
            return None;
        }
        let generation = action_id
            .rsplit('/')
            .next()
            .and_then(|tail| tail.parse::<i64>().ok());
        Some(Self {
            id: action_id,
            generation,
        })
    }
}

/// What to do with an action, given the last one applied to the same measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A new action: apply it.
    Apply,
    /// The very action already applied: answer as before, change nothing.
    Repeat,
    /// An older action than the one applied, arriving late: change nothing.
    Superseded,
}

/// Compares `incoming` with the last applied action (`last_id`, `last_generation`).
#[must_use]
pub fn verdict(
    last_id: Option<&str>,
    last_generation: Option<i64>,
    incoming: &Action<'_>,
) -> Verdict {
    if last_id == Some(incoming.id) {
        return Verdict::Repeat;
    }
    match (last_generation, incoming.generation) {
        (Some(last), Some(new)) if new <= last => Verdict::Superseded,
        _ => Verdict::Apply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_trailing_generation() {
        let a = Action::parse("case-1/take_down/3").expect("action");
        assert_eq!(a.generation, Some(3));
        assert_eq!(Action::parse("manual").expect("action").generation, None);
        assert_eq!(Action::parse(""), None);
    }

    #[test]
    fn repeat_newer_and_late_actions() {
        let td1 = Action::parse("c/take_down/1").expect("action");
        let r2 = Action::parse("c/restore/2").expect("action");
        let td3 = Action::parse("c/take_down/3").expect("action");
        assert_eq!(verdict(None, None, &td1), Verdict::Apply);
        assert_eq!(verdict(Some(td1.id), Some(1), &td1), Verdict::Repeat);
        assert_eq!(verdict(Some(td1.id), Some(1), &r2), Verdict::Apply);
        assert_eq!(verdict(Some(r2.id), Some(2), &td3), Verdict::Apply);
        assert_eq!(verdict(Some(td3.id), Some(3), &r2), Verdict::Superseded);
        assert_eq!(verdict(Some(td3.id), Some(3), &td1), Verdict::Superseded);
    }

    #[test]
    fn ids_without_generation_only_compare_for_equality() {
        let manual = Action::parse("manual-2").expect("action");
        assert_eq!(verdict(Some("manual-1"), None, &manual), Verdict::Apply);
        assert_eq!(verdict(Some("manual-2"), None, &manual), Verdict::Repeat);
        assert_eq!(
            verdict(Some("c/take_down/4"), Some(4), &manual),
            Verdict::Apply
        );
    }
}
