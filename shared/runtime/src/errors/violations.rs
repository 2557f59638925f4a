//! Collecting every field violation of a request before answering, so a caller fixes them all at
//! once instead of one per round trip.

use super::ServiceError;

/// One bad field: its path in the request (`price.currency_code`, `images[2].pdq_hash`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// Path of the field in the request message, proto field names joined by dots.
    pub field: String,
    /// What is wrong with it, for a person.
    pub description: String,
}

/// Accumulates field violations; [`Violations::finish`] turns them into `INVALID_ARGUMENT`.
#[derive(Debug, Default, Clone)]
pub struct Violations {
    items: Vec<FieldViolation>,
}

impl Violations {
    /// No violations yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is bad.
    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.items.push(FieldViolation {
            field: field.into(),
            description: description.into(),
        });
    }

    /// Records a violation when `ok` is false; returns `ok` so callers can skip dependent checks.
    pub fn check(
        &mut self,
        ok: bool,
        field: impl Into<String>,
        description: impl Into<String>,
    ) -> bool {
        if !ok {
            self.add(field, description);
        }
        ok
    }

    /// Records a violation when `value` is empty or only white space, or holds a NUL character
    /// (never meaningful in text, and PostgreSQL cannot store it).
    pub fn require(&mut self, value: &str, field: impl Into<String>) -> bool {
        let field = field.into();
        self.check(!value.trim().is_empty(), field.clone(), "is required")
            && self.check(
                !value.contains('\0'),
                field,
                "must not contain NUL characters",
            )
    }

    /// Records a violation when `value` is longer than `max` characters.
    pub fn max_chars(&mut self, value: &str, max: usize, field: impl Into<String>) -> bool {
        let ok = value.chars().count() <= max;
        self.check(ok, field, format!("must be at most {max} characters"))
    }

    /// Adds another set of violations with their fields nested under `prefix`.
    pub fn nest(&mut self, prefix: &str, other: Self) {
        for item in other.items {
            self.add(format!("{prefix}.{}", item.field), item.description);
        }
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The violations recorded so far.
    #[must_use]
    pub fn items(&self) -> &[FieldViolation] {
        &self.items
    }

    /// `Ok(())` when nothing was recorded, otherwise `INVALID_ARGUMENT` with every violation.
    ///
    /// # Errors
    /// The collected violations, as an `INVALID_ARGUMENT` [`ServiceError`].
    pub fn finish(self) -> Result<(), ServiceError> {
        if self.items.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::invalid_argument(self.items))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorCode;

    #[test]
    fn finish_reports_every_violation_in_order() {
        let mut v = Violations::new();
        v.require("", "title");
        v.max_chars("abcdef", 3, "description");
        v.check(true, "price", "fine");
        let mut nested = Violations::new();
        nested.add("currency_code", "unknown currency");
        v.nest("price", nested);
        let err = v.finish().expect_err("violations");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        let fields: Vec<_> = err
            .field_violations()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(fields, ["title", "description", "price.currency_code"]);
    }

    #[test]
    fn nothing_recorded_is_ok() {
        let mut v = Violations::new();
        assert!(v.require("x", "title"));
        assert!(v.finish().is_ok());
    }
}
