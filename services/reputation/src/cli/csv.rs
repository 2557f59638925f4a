//! A small RFC 4180 reader: comma-separated fields, optional double quotes, `""` for a quote
//! inside quotes, quoted fields may span lines. Enough for seller import files without another
//! dependency.

/// The records of `text`, each a list of fields; blank lines are skipped.
///
/// # Errors
/// A quote left open at the end, naming the line it opened on.
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                if !(fields.len() == 1 && fields[0].is_empty()) {
                    records.push((record_line, std::mem::take(&mut fields)));
                }
                fields.clear();
                line += 1;
                record_line = line;
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(format!("line {record_line}: a quoted field is not closed"));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((record_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_quotes_and_lines() {
        let text = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\n2,\"two\nlines\",\n3";
        let records = parse(text).expect("valid");
        let got: Vec<(usize, Vec<&str>)> = records
            .iter()
            .map(|(line, fields)| (*line, fields.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            [
                (1, vec!["a", "b", "c"]),
                (2, vec!["1", "x, y", "say \"hi\""]),
                (4, vec!["2", "two\nlines", ""]),
                (6, vec!["3"]),
            ]
        );
    }

    #[test]
    fn an_open_quote_is_an_error() {
        assert_eq!(
            parse("a\n\"open").expect_err("open"),
            "line 2: a quoted field is not closed"
        );
    }
}
