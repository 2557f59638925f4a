//! Checks of e-mail addresses and phone numbers: strict enough to catch typos and junk, loose
//! enough not to refuse real traders (no attempt at full RFC 5322 or per-country numbering).

/// Why an e-mail address is not acceptable, if it is not.
#[must_use]
pub fn email_problem(email: &str) -> Option<&'static str> {
    if email.chars().count() > 254 {
        return Some("must be at most 254 characters");
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some("must look like name@example.com");
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return Some("must look like name@example.com");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("must not have dots at the ends of the name or two dots in a row");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Some("must have a domain such as example.com");
    }
    None
}

/// The number in E.164 form (`+` and 8–15 digits, no leading zero in the country code), with
/// spaces, dots, hyphens and parentheses removed; `None` when it is not one.
#[must_use]
pub fn normalize_phone(phone: &str) -> Option<String> {
    let rest = phone.trim().strip_prefix('+')?;
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let ok = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    ok.then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails_pass() {
        for email in [
            "a@b.it",
            "first.last+tag@sub.example.com",
            "王@例子.中国",
            "x@a-b.de",
        ] {
            assert_eq!(email_problem(email), None, "{email}");
        }
    }

    #[test]
    fn malformed_emails_fail() {
        let bad = [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a@b@c.com",
            "a b@c.com",
            ".a@b.com",
            "a..b@c.com",
            "a@-b.com",
            "a@b..com",
            "a@b.c_m",
        ];
        for email in bad {
            assert!(email_problem(email).is_some(), "{email}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(email_problem(&long).is_some());
    }

    #[test]
    fn phones_normalize_to_e164() {
        let cases = [
            ("+39 333 123 4567", Some("+393331234567")),
            ("+1 (415) 555-0100", Some("+14155550100")),
            ("+86.138.0013.8000", Some("+8613800138000")),
            ("+1234567", None),
            ("+1234567890123456", None),
            ("333 123 4567", None),
            ("+0 333 123 4567", None),
            ("+39 333 abc 4567", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_phone(input).as_deref(), expected, "{input}");
        }
    }
}
