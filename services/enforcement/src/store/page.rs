//! Keyset pagination: a page token is the sort key of the last item returned, so pages stay
//! stable while rows are added and cost the same at any depth.

use genuine_runtime::errors::{ServiceError, ServiceResult};

/// Default and greatest page sizes.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// What a List request asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Requested size; 0 means the default. Larger than the maximum is capped.
    pub size: i32,
    /// Token from the previous page; empty for the first.
    pub token: String,
}

impl PageRequest {
    /// The effective size.
    #[must_use]
    pub fn limit(&self) -> u64 {
        match u64::try_from(self.size) {
            Ok(0) | Err(_) => DEFAULT_PAGE_SIZE,
            Ok(n) => n.min(MAX_PAGE_SIZE),
        }
    }

    /// The sort key in the token, `None` for the first page.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when the token was not made here or has the wrong number of parts.
    pub fn key(&self, parts: usize) -> ServiceResult<Option<Vec<String>>> {
        if self.token.is_empty() {
            return Ok(None);
        }
        let bad =
            || ServiceError::invalid_field("page_token", "is not a token from a previous page");
        let bytes = hex::decode(&self.token).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let key: Vec<String> = text.split('\u{1f}').map(str::to_owned).collect();
        if key.len() != parts {
            return Err(bad());
        }
        Ok(Some(key))
    }

    /// Validates the size field.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a negative size.
    pub fn check(&self) -> ServiceResult<()> {
        if self.size < 0 {
            return Err(ServiceError::invalid_field(
                "page_size",
                "must not be negative",
            ));
        }
        Ok(())
    }
}

/// The token for a sort key.
#[must_use]
pub fn token(key: &[String]) -> String {
    hex::encode(key.join("\u{1f}"))
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Empty on the last page.
    pub next_token: String,
}

impl<T> Page<T> {
    /// A page from rows fetched with `limit + 1`: the extra row only says that more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, key_of: impl Fn(&T) -> Vec<String>) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = match rows.last() {
            Some(last) if more => token(&key_of(last)),
            _ => String::new(),
        };
        Self {
            items: rows,
            next_token,
        }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_token: self.next_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_foreign_tokens_are_refused() {
        let req = PageRequest {
            size: 0,
            token: token(&["1".into(), "x".into()]),
        };
        assert_eq!(
            req.key(2).expect("valid"),
            Some(vec!["1".to_owned(), "x".to_owned()])
        );
        assert!(req.key(3).is_err());
        assert!(
            PageRequest {
                size: 1,
                token: "zz".into()
            }
            .key(1)
            .is_err()
        );
        assert_eq!(PageRequest::default().limit(), DEFAULT_PAGE_SIZE);
        assert_eq!(
            PageRequest {
                size: 10_000,
                token: String::new()
            }
            .limit(),
            MAX_PAGE_SIZE
        );
        assert!(
            PageRequest {
                size: -1,
                token: String::new()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| vec![n.to_string()]);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next_token, token(&["2".into()]));
        let last = Page::from_rows(vec![1, 2], 2, |n| vec![n.to_string()]);
        assert!(last.next_token.is_empty());
    }
}
