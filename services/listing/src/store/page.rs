//! Keyset pagination: the page token carries the last id returned (ids sort by creation), so
//! pages stay stable while rows are added.

use genuine_runtime::errors::{ServiceError, ServiceResult};

/// Page size when the request gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page served.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Rows per page.
    pub size: u64,
    /// The last id of the previous page.
    pub after: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Empty on the last page.
    pub next_page_token: String,
}

impl PageRequest {
    /// From the request's `page_size` and `page_token`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field when the size is negative or the token is not ours.
    pub fn parse(page_size: i32, page_token: &str) -> ServiceResult<Self> {
        let size = match u64::try_from(page_size) {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(size) => size.min(MAX_PAGE_SIZE),
            Err(_) => {
                return Err(ServiceError::invalid_field(
                    "page_size",
                    "must not be negative",
                ));
            }
        };
        let after = if page_token.is_empty() {
            None
        } else {
            let bytes =
                hex::decode(page_token.strip_prefix("p1.").unwrap_or("!")).map_err(|_| {
                    ServiceError::invalid_field("page_token", "is not a token from a previous page")
                })?;
            Some(String::from_utf8(bytes).map_err(|_| {
                ServiceError::invalid_field("page_token", "is not a token from a previous page")
            })?)
        };
        Ok(Self { size, after })
    }

    /// Makes a page from up to `size + 1` fetched rows: the extra one only says there is more.
    #[must_use]
    pub fn page<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> &str) -> Page<T> {
        let limit = usize::try_from(self.size).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_page_token = match rows.last() {
            Some(last) if more => format!("p1.{}", hex::encode(id_of(last))),
            _ => String::new(),
        };
        Page {
            items: rows,
            next_page_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_strangers_are_refused() {
        let request = PageRequest::parse(2, "").expect("first");
        let page = request.page(vec!["a", "b", "c"], |s| s);
        assert_eq!(page.items, ["a", "b"]);
        let next = PageRequest::parse(2, &page.next_page_token).expect("next");
        assert_eq!(next.after.as_deref(), Some("b"));
        assert!(request.page(vec!["a"], |s| s).next_page_token.is_empty());
        assert!(PageRequest::parse(-1, "").is_err());
        assert!(PageRequest::parse(1, "zzz").is_err());
        assert_eq!(
            PageRequest::parse(0, "").expect("default").size,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(
            PageRequest::parse(1_000_000, "").expect("capped").size,
            MAX_PAGE_SIZE
        );
    }
}
