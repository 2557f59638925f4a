//! Reading a trace out of exported spans: by id, by name, and through parent links.

use std::collections::HashMap;

use opentelemetry_proto::tonic::trace::v1::Span;

/// The spans of one trace, by span id (lowercase hex).
#[derive(Debug)]
pub struct Trace {
    pub trace_id: String,
    pub spans: HashMap<String, Span>,
}

impl Trace {
    /// The spans of `spans` whose trace id is `trace_id` (hex).
    pub fn of(spans: &[Span], trace_id: &str) -> Self {
        Self {
            trace_id: trace_id.to_owned(),
            spans: spans
                .iter()
                .filter(|s| hex(&s.trace_id) == trace_id)
                .map(|s| (hex(&s.span_id), s.clone()))
                .collect(),
        }
    }

    /// The spans named `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Span> + 'a {
        self.spans.values().filter(move |s| s.name == name)
    }

    /// The only span named `name`.
    ///
    /// # Errors
    /// When there is none or several.
    pub fn one(&self, name: &str) -> Result<&Span, String> {
        let found: Vec<&Span> = self.spans.values().filter(|s| s.name == name).collect();
        match found.as_slice() {
            [span] => Ok(span),
            _ => Err(format!(
                "{} spans named {name:?} in trace {}; names: {:?}",
                found.len(),
                self.trace_id,
                self.names()
            )),
        }
    }

    /// Whether `ancestor` is `span`'s parent, grandparent, … within this trace.
    pub fn descends(&self, span: &Span, ancestor: &Span) -> bool {
        let target = hex(&ancestor.span_id);
        let mut parent = hex(&span.parent_span_id);
        for _ in 0..self.spans.len() {
            if parent == target {
                return true;
            }
            match self.spans.get(&parent) {
                Some(next) => parent = hex(&next.parent_span_id),
                None => return false,
            }
        }
        false
    }

    /// Spans whose parent is neither `external_parent` nor a span of this trace: a broken link
    /// (or a parent not exported yet).
    pub fn orphans(&self, external_parent: &str) -> Vec<String> {
        self.spans
            .values()
            .filter(|s| {
                let parent = hex(&s.parent_span_id);
                parent != external_parent && !self.spans.contains_key(&parent)
            })
            .map(|s| format!("{} (parent {})", s.name, hex(&s.parent_span_id)))
            .collect()
    }

    fn names(&self) -> Vec<&str> {
        self.spans.values().map(|s| s.name.as_str()).collect()
    }
}

/// Lowercase hex of an id.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
