//! Raw statements written once with `?` placeholders, numbered `$n` for PostgreSQL. The queue's
//! SQL is short and backend-neutral apart from row locking; raw text is clearer than a builder.

use sea_orm::{DbBackend, Statement, Value};

/// `sql` for `backend`, with its `?` placeholders bound to `values` in order.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => number_placeholders(sql),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?` → `$1`, `$2`, …; the queue's statements have no `?` inside string literals.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `?, ?, …` for an `IN` list of `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        assert_eq!(
            number_placeholders("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        let sqlite = statement(DbBackend::Sqlite, "a = ?", vec![1i64.into()]);
        assert_eq!(sqlite.sql, "a = ?");
        assert_eq!(placeholders(3), "?, ?, ?");
    }
}
