//! Requests for tests, benchmarks and load tools of this and other crates: one complete,
//! valid registration instead of a copy of its dozen fields in each.

use genuine_contracts::genuine::reputation::v1 as pb;

/// A complete registration (every DSA Art. 30 field, self-certified) for `country`.
#[must_use]
pub fn registration(request_id: &str, seller_id: &str, country: &str) -> pb::RegisterSellerRequest {
    pb::RegisterSellerRequest {
        request_id: request_id.into(),
        seller_id: seller_id.into(),
        legal_name: "Rossi Pelletteria S.r.l.".into(),
        display_name: format!("Shop {seller_id}"),
        email: "info@rossi.example.it".into(),
        phone: "+39 055 123 4567".into(),
        address: Some(pb::Address {
            lines: vec!["Via Roma 1".into()],
            city: "Firenze".into(),
            region: "FI".into(),
            postal_code: "50123".into(),
            country_code: country.into(),
        }),
        trade_register_name: "Registro delle Imprese".into(),
        trade_register_number: "FI-123456".into(),
        id_document_ref: "doc-1".into(),
        payment_account_ref: "acct-1".into(),
        self_certified: true,
    }
}
