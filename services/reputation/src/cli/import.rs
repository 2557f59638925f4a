//! `genuine seller import FILE`: bulk registration from CSV (a header row with the
//! RegisterSeller field names, address lines joined by `|`) or JSONL (one JSON object per line,
//! `address_lines` an array). Requests go out a few at a time with a progress bar; every
//! request id is derived from the seller id or the line, so an interrupted import can be re-run.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use futures::StreamExt;
use genuine_runtime::errors::ServiceError;

use super::record::SellerRecord;
use super::{Client, csv};

/// Requests in flight at once.
const CONCURRENCY: usize = 8;

/// One line of the file: its number and the record, or why it could not be read.
pub type Line = (usize, Result<SellerRecord, String>);

/// The records of `path` (CSV unless it ends in `.jsonl`, `.ndjson` or `.json`).
///
/// # Errors
/// When the file cannot be read or the CSV is malformed as a whole.
pub fn read(path: &Path) -> anyhow::Result<Vec<Line>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if matches!(extension, "jsonl" | "ndjson" | "json") {
        Ok(jsonl(&text))
    } else {
        csv_records(&text).map_err(anyhow::Error::msg)
    }
}

fn jsonl(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, serde_json::from_str(line).map_err(|e| e.to_string())))
        .collect()
}

fn csv_records(text: &str) -> Result<Vec<Line>, String> {
    let mut rows = csv::parse(text)?.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    Ok(rows
        .map(|(line, values)| (line, SellerRecord::from_columns(&header, &values)))
        .collect())
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub registered: usize,
    /// (line, why) of every record that failed.
    pub failed: Vec<(usize, String)>,
}

/// Registers every record of `lines`, drawing progress on `progress`.
pub async fn run(
    client: &Client,
    file: &str,
    lines: Vec<Line>,
    progress: &mut dyn Write,
) -> Summary {
    let total = lines.len();
    let mut summary = Summary::default();
    let mut bar = Bar::new(total);
    let mut results = futures::stream::iter(lines)
        .map(|(line, record)| {
            let mut client = client.clone();
            let key = format!("{file}:{line}");
            async move {
                let result = match record {
                    Ok(record) => client
                        .register_seller(record.into_request(&key))
                        .await
                        .map(|_| ())
                        .map_err(|s| describe(&s)),
                    Err(why) => Err(why),
                };
                (line, result)
            }
        })
        .buffer_unordered(CONCURRENCY);
    while let Some((line, result)) = results.next().await {
        match result {
            Ok(()) => summary.registered += 1,
            Err(why) => summary.failed.push((line, why)),
        }
        bar.draw(
            progress,
            summary.registered + summary.failed.len(),
            summary.failed.len(),
        );
    }
    summary.failed.sort();
    let _ = writeln!(progress);
    summary
}

/// A status as one line: the message and, for bad input, every field.
fn describe(status: &tonic::Status) -> String {
    let error = ServiceError::from_status(status);
    let fields: Vec<String> = error
        .field_violations()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.description))
        .collect();
    if fields.is_empty() {
        format!("{:?}: {}", status.code(), status.message())
    } else {
        format!("{:?}: {}", status.code(), fields.join("; "))
    }
}

/// A text progress bar redrawn in place.
struct Bar {
    total: usize,
    last_drawn: Option<usize>,
}

impl Bar {
    const WIDTH: usize = 30;

    fn new(total: usize) -> Self {
        Self {
            total,
            last_drawn: None,
        }
    }

    fn draw(&mut self, out: &mut dyn Write, done: usize, failed: usize) {
        let filled = (done * Self::WIDTH)
            .checked_div(self.total)
            .unwrap_or(Self::WIDTH);
        if self.last_drawn == Some(filled) && done != self.total {
            return;
        }
        self.last_drawn = Some(filled);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(Self::WIDTH - filled));
        let _ = write!(out, "\r[{bar}] {done}/{} ({failed} failed)", self.total);
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_jsonl_give_the_same_records() {
        let csv = "seller_id,display_name,address_lines,country_code,self_certified\n\
                   s-1,Rossi,Via Roma 1|Piano 2,IT,true\n";
        let json_line = r#"{"seller_id":"s-1","display_name":"Rossi","address_lines":["Via Roma 1","Piano 2"],"country_code":"IT","self_certified":true}"#;
        let from_csv = csv_records(csv).expect("csv");
        let from_jsonl = jsonl(json_line);
        assert_eq!(from_csv.len(), 1);
        assert_eq!(from_csv[0].1, from_jsonl[0].1);
        let record = from_csv[0].1.clone().expect("record");
        assert_eq!(record.address_lines, ["Via Roma 1", "Piano 2"]);
        let request = record.into_request("f:2");
        assert_eq!(request.request_id, "cli:seller:s-1");
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let lines = csv_records("seller_id,colour\ns-1,red\n").expect("csv");
        assert_eq!(lines[0].0, 2);
        assert!(
            lines[0]
                .1
                .clone()
                .expect_err("unknown column")
                .contains("colour")
        );
        let lines = jsonl("\n{\"seller_id\": 5}\n");
        assert_eq!(lines[0].0, 2);
        assert!(lines[0].1.is_err());
    }

    #[test]
    fn the_bar_fills_with_progress() {
        let mut out = Vec::new();
        let mut bar = Bar::new(4);
        bar.draw(&mut out, 2, 1);
        bar.draw(&mut out, 4, 1);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains(&format!(
                "[{}{}] 2/4 (1 failed)",
                "#".repeat(15),
                "-".repeat(15)
            )),
            "{text}"
        );
        assert!(
            text.ends_with(&format!("[{}] 4/4 (1 failed)", "#".repeat(30))),
            "{text}"
        );
    }
}
