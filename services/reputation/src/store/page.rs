//! Keyset pagination: a page token names the last row returned (its sort time and id), so pages
//! stay stable while rows are added.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use genuine_runtime::errors::{ServiceResult, Violations};

/// Page size when the request gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page served.
pub const MAX_PAGE_SIZE: u64 = 500;

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub size: u64,
    /// The last row of the previous page: (sort time in ms, id).
    pub after: Option<(i64, String)>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Empty on the last page.
    pub next_page_token: String,
}

impl PageRequest {
    /// From the request's `page_size` and `page_token`.
    ///
    /// # Errors
    /// INVALID_ARGUMENT naming the field when the size is negative or the token is not one of ours.
    pub fn parse(page_size: i32, page_token: &str) -> ServiceResult<Self> {
        let mut v = Violations::new();
        let size = match u64::try_from(page_size) {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(size) => size.min(MAX_PAGE_SIZE),
            Err(_) => {
                v.add("page_size", "must not be negative");
                DEFAULT_PAGE_SIZE
            }
        };
        let after = if page_token.is_empty() {
            None
        } else {
            let after = decode(page_token);
            v.check(
                after.is_some(),
                "page_token",
                "is not a token from a previous page",
            );
            after
        };
        v.finish()?;
        Ok(Self { size, after })
    }

    /// A first page of `size`.
    #[must_use]
    pub fn first(size: u64) -> Self {
        Self { size, after: None }
    }
}

/// The token naming a row.
#[must_use]
pub fn encode(time: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{time}:{id}"))
}

fn decode(token: &str) -> Option<(i64, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (time, id) = text.split_once(':')?;
    Some((time.parse().ok()?, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_junk_is_refused() {
        let token = encode(1_700_000_000_000, "v:1");
        let page = PageRequest::parse(10, &token).expect("token");
        assert_eq!(page.after, Some((1_700_000_000_000, "v:1".to_owned())));
        assert_eq!(
            PageRequest::parse(0, "").expect("default").size,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(
            PageRequest::parse(10_000, "").expect("capped").size,
            MAX_PAGE_SIZE
        );
        let bad = PageRequest::parse(10, "!!").expect_err("junk");
        assert_eq!(bad.field_violations()[0].field, "page_token");
        let negative = PageRequest::parse(-1, "").expect_err("negative");
        assert_eq!(negative.field_violations()[0].field, "page_size");
    }
}
