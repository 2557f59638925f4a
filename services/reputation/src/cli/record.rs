//! One seller as the CLI reads it: from flags, a JSON file, or a line of a CSV/JSONL import.

use clap::Args;
use genuine_contracts::genuine::reputation::v1 as pb;
use serde::Deserialize;

/// A seller's registration data, with the RegisterSeller field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Args)]
#[serde(default, deny_unknown_fields)]
pub struct SellerRecord {
    /// Idempotency key; default derived from the seller id (re-running is safe).
    #[arg(long)]
    pub request_id: Option<String>,
    /// The seller id (admins); empty to have one generated.
    #[arg(long)]
    pub seller_id: Option<String>,
    #[arg(long, default_value = "")]
    pub legal_name: String,
    #[arg(long, default_value = "")]
    pub display_name: String,
    #[arg(long, default_value = "")]
    pub email: String,
    /// International form, e.g. "+39 055 123 4567".
    #[arg(long, default_value = "")]
    pub phone: String,
    /// An address line (repeat for more).
    #[arg(long = "address-line")]
    pub address_lines: Vec<String>,
    #[arg(long, default_value = "")]
    pub city: String,
    #[arg(long, default_value = "")]
    pub region: String,
    #[arg(long, default_value = "")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. IT.
    #[arg(long = "country", default_value = "")]
    pub country_code: String,
    #[arg(long, default_value = "")]
    pub trade_register_name: String,
    #[arg(long, default_value = "")]
    pub trade_register_number: String,
    #[arg(long, default_value = "")]
    pub id_document_ref: String,
    #[arg(long, default_value = "")]
    pub payment_account_ref: String,
    /// The trader certifies it offers only compliant products.
    #[arg(long)]
    pub self_certified: bool,
}

impl SellerRecord {
    /// The RegisterSeller request; `fallback_key` names the record when it has neither a request
    /// id nor a seller id (e.g. the file and line), so a re-run sends the same key.
    #[must_use]
    pub fn into_request(self, fallback_key: &str) -> pb::RegisterSellerRequest {
        let seller_id = self.seller_id.unwrap_or_default();
        let request_id = self
            .request_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| {
                if seller_id.is_empty() {
                    format!("cli:{fallback_key}")
                } else {
                    format!("cli:seller:{seller_id}")
                }
            });
        pb::RegisterSellerRequest {
            request_id,
            seller_id,
            legal_name: self.legal_name,
            display_name: self.display_name,
            email: self.email,
            phone: self.phone,
            address: Some(pb::Address {
                lines: self.address_lines,
                city: self.city,
                region: self.region,
                postal_code: self.postal_code,
                country_code: self.country_code,
            }),
            trade_register_name: self.trade_register_name,
            trade_register_number: self.trade_register_number,
            id_document_ref: self.id_document_ref,
            payment_account_ref: self.payment_account_ref,
            self_certified: self.self_certified,
        }
    }

    /// A record from CSV `header` names and one row's `values`; address lines separated by `|`.
    ///
    /// # Errors
    /// An unknown column or a self_certified that is not true/false.
    pub fn from_columns(header: &[String], values: &[String]) -> Result<Self, String> {
        let mut record = Self::default();
        for (name, value) in header.iter().zip(values) {
            let value = value.clone();
            match name.trim() {
                "request_id" => record.request_id = Some(value),
                "seller_id" => record.seller_id = Some(value),
                "legal_name" => record.legal_name = value,
                "display_name" => record.display_name = value,
                "email" => record.email = value,
                "phone" => record.phone = value,
                "address_lines" => {
                    record.address_lines = value
                        .split('|')
                        .map(str::to_owned)
                        .filter(|l| !l.is_empty())
                        .collect();
                }
                "city" => record.city = value,
                "region" => record.region = value,
                "postal_code" => record.postal_code = value,
                "country_code" => record.country_code = value,
                "trade_register_name" => record.trade_register_name = value,
                "trade_register_number" => record.trade_register_number = value,
                "id_document_ref" => record.id_document_ref = value,
                "payment_account_ref" => record.payment_account_ref = value,
                "self_certified" => {
                    record.self_certified = match value.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" | "1" => true,
                        "false" | "no" | "0" | "" => false,
                        other => {
                            return Err(format!("self_certified: {other:?} is not true or false"));
                        }
                    };
                }
                other => return Err(format!("unknown column {other:?}")),
            }
        }
        Ok(record)
    }
}
