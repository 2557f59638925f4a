//! A trader's traceability data (EU DSA Art. 30) and its validation: every field the article
//! lists is required, the self-certification must be given, and e-mail, phone and country must
//! be well-formed. Every problem is reported at once, named by its request field.

use genuine_runtime::errors::Violations;

use super::contact::{email_problem, normalize_phone};
use super::countries;

/// Longest free-text field accepted, in characters.
const MAX_TEXT: usize = 300;
/// Most address lines accepted.
const MAX_ADDRESS_LINES: usize = 5;

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub lines: Vec<String>,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case once normalized.
    pub country_code: String,
}

/// The data a trader registers with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    pub legal_name: String,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub address: Address,
    pub trade_register_name: String,
    pub trade_register_number: String,
    pub id_document_ref: String,
    pub payment_account_ref: String,
    pub self_certified: bool,
}

impl Registration {
    /// Trims every field, drops empty address lines, upper-cases the country and writes a
    /// valid phone number in E.164 form, so equal registrations compare equal (idempotency).
    #[must_use]
    pub fn normalized(self) -> Self {
        let trim = |s: String| s.trim().to_owned();
        let phone = normalize_phone(&self.phone).unwrap_or_else(|| self.phone.trim().to_owned());
        Self {
            legal_name: trim(self.legal_name),
            display_name: trim(self.display_name),
            email: trim(self.email),
            phone,
            address: Address {
                lines: self
                    .address
                    .lines
                    .into_iter()
                    .map(trim)
                    .filter(|line| !line.is_empty())
                    .collect(),
                city: trim(self.address.city),
                region: trim(self.address.region),
                postal_code: trim(self.address.postal_code),
                country_code: self.address.country_code.trim().to_ascii_uppercase(),
            },
            trade_register_name: trim(self.trade_register_name),
            trade_register_number: trim(self.trade_register_number),
            id_document_ref: trim(self.id_document_ref),
            payment_account_ref: trim(self.payment_account_ref),
            self_certified: self.self_certified,
        }
    }

    /// Adds a violation for every problem of this (normalized) registration to `v`.
    pub fn check(&self, v: &mut Violations) {
        let texts = [
            ("legal_name", &self.legal_name),
            ("display_name", &self.display_name),
            ("trade_register_name", &self.trade_register_name),
            ("trade_register_number", &self.trade_register_number),
            ("id_document_ref", &self.id_document_ref),
            ("payment_account_ref", &self.payment_account_ref),
        ];
        for (field, value) in texts {
            if v.require(value, field) {
                v.max_chars(value, MAX_TEXT, field);
            }
        }
        if v.require(&self.email, "email")
            && let Some(problem) = email_problem(&self.email)
        {
            v.add("email", problem);
        }
        if v.require(&self.phone, "phone") {
            v.check(
                normalize_phone(&self.phone).is_some(),
                "phone",
                "must be an international number: + country code and 8 to 15 digits",
            );
        }
        v.check(
            self.self_certified,
            "self_certified",
            "the trader must certify that it offers only products that comply with EU law (DSA Art. 30(1)(e))",
        );
        let mut address = Violations::new();
        self.address.check(&mut address);
        v.nest("address", address);
    }
}

impl Address {
    fn check(&self, v: &mut Violations) {
        if v.check(!self.lines.is_empty(), "lines", "is required") {
            v.check(
                self.lines.len() <= MAX_ADDRESS_LINES,
                "lines",
                format!("must have at most {MAX_ADDRESS_LINES} lines"),
            );
            for (i, line) in self.lines.iter().enumerate() {
                v.max_chars(line, MAX_TEXT, format!("lines[{i}]"));
            }
        }
        if v.require(&self.city, "city") {
            v.max_chars(&self.city, MAX_TEXT, "city");
        }
        v.max_chars(&self.region, MAX_TEXT, "region");
        v.max_chars(&self.postal_code, 20, "postal_code");
        if v.require(&self.country_code, "country_code") {
            v.check(
                countries::is_assigned(&self.country_code),
                "country_code",
                "must be an ISO 3166-1 alpha-2 code such as IT or DE",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genuine_runtime::errors::ErrorCode;

    pub(crate) fn valid() -> Registration {
        Registration {
            legal_name: " Rossi Pelletteria S.r.l. ".into(),
            display_name: "Rossi Bags".into(),
            email: "info@rossi.example.it".into(),
            phone: "+39 055 123 4567".into(),
            address: Address {
                lines: vec!["Via Roma 1".into(), "  ".into()],
                city: "Firenze".into(),
                region: "FI".into(),
                postal_code: "50123".into(),
                country_code: "it".into(),
            },
            trade_register_name: "Registro delle Imprese di Firenze".into(),
            trade_register_number: "FI-123456".into(),
            id_document_ref: "doc-42".into(),
            payment_account_ref: "acct-7".into(),
            self_certified: true,
        }
    }

    fn fields(registration: &Registration) -> Vec<String> {
        let mut v = Violations::new();
        registration.check(&mut v);
        v.items().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_complete_registration_normalizes_and_passes() {
        let r = valid().normalized();
        assert_eq!(r.legal_name, "Rossi Pelletteria S.r.l.");
        assert_eq!(r.phone, "+390551234567");
        assert_eq!(r.address.lines, ["Via Roma 1"]);
        assert_eq!(r.address.country_code, "IT");
        assert!(fields(&r).is_empty());
    }

    #[test]
    fn an_empty_registration_names_every_required_field() {
        let mut v = Violations::new();
        Registration::default().normalized().check(&mut v);
        let names: Vec<&str> = v.items().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "legal_name",
                "display_name",
                "trade_register_name",
                "trade_register_number",
                "id_document_ref",
                "payment_account_ref",
                "email",
                "phone",
                "self_certified",
                "address.lines",
                "address.city",
                "address.country_code",
            ]
        );
        let err = v.finish().expect_err("invalid");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn malformed_contact_data_and_country_are_named() {
        let r = Registration {
            email: "not-an-email".into(),
            phone: "055 123".into(),
            address: Address {
                country_code: "XX".into(),
                ..valid().address
            },
            ..valid()
        }
        .normalized();
        assert_eq!(fields(&r), ["email", "phone", "address.country_code"]);
    }

    #[test]
    fn overlong_fields_are_named() {
        let long = "x".repeat(MAX_TEXT + 1);
        let r = Registration {
            legal_name: long.clone(),
            address: Address {
                lines: vec!["ok".into(), long],
                ..valid().address
            },
            ..valid()
        }
        .normalized();
        assert_eq!(fields(&r), ["legal_name", "address.lines[1]"]);
    }
}
