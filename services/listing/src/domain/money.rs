//! Money as the contract carries it (currency code, units, nanos), validated once at the edge
//! and compared exactly in nanos, never through floating point.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// Nanos in one unit.
const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// An amount in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// ISO 4217 code, upper case.
    pub currency_code: String,
    /// Whole units.
    pub units: i64,
    /// Nano units, same sign as `units`.
    pub nanos: i32,
}

/// What is wrong with a money value, per field (`currency_code`, `units`, `nanos`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyProblem {
    /// The sub-field.
    pub field: &'static str,
    /// Why.
    pub description: String,
}

impl Money {
    /// A money value after checking it is a known currency and a non-negative, well-formed
    /// amount; every problem is reported.
    ///
    /// # Errors
    /// Each problem with the sub-field it concerns.
    pub fn parse(currency_code: &str, units: i64, nanos: i32) -> Result<Self, Vec<MoneyProblem>> {
        let mut problems = Vec::new();
        if !is_known_currency(currency_code) {
            problems.push(MoneyProblem {
                field: "currency_code",
                description: format!("{currency_code:?} is not an ISO 4217 currency code"),
            });
        }
        if units < 0 || nanos < 0 {
            problems.push(MoneyProblem {
                field: if units < 0 { "units" } else { "nanos" },
                description: "must not be negative".into(),
            });
        }
        if !(-999_999_999..=999_999_999).contains(&nanos) {
            problems.push(MoneyProblem {
                field: "nanos",
                description: "must be between -999,999,999 and 999,999,999".into(),
            });
        }
        if problems.is_empty() {
            Ok(Self {
                currency_code: currency_code.to_owned(),
                units,
                nanos,
            })
        } else {
            Err(problems)
        }
    }

    /// The amount in nanos.
    #[must_use]
    pub fn total_nanos(&self) -> i128 {
        i128::from(self.units) * NANOS_PER_UNIT + i128::from(self.nanos)
    }

    /// Whether `self` is below `percent` % of `reference`; `None` across currencies, where no
    /// comparison is meaningful without exchange rates.
    #[must_use]
    pub fn is_below_share_of(&self, reference: &Self, percent: u32) -> Option<bool> {
        (self.currency_code == reference.currency_code)
            .then(|| self.total_nanos() * 100 < reference.total_nanos() * i128::from(percent))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.nanos / 10_000_000;
        write!(
            f,
            "{} {}.{:02}",
            self.currency_code,
            self.units,
            cents.abs()
        )
    }
}

/// Whether `code` is an active ISO 4217 currency code.
#[must_use]
pub fn is_known_currency(code: &str) -> bool {
    // A set, not a scan of the list: every screened draft checks its price's currency.
    static KNOWN: LazyLock<HashSet<&str>> = LazyLock::new(|| ISO_4217.split(' ').collect());
    code.len() == 3 && KNOWN.contains(code)
}

/// Active ISO 4217 codes (2024 list), space separated.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR \
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES \
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR \
MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR \
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH \
UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn eur(units: i64, nanos: i32) -> Money {
        Money::parse("EUR", units, nanos).expect("valid")
    }

    #[test]
    fn bad_values_name_their_fields() {
        let problems = Money::parse("XXY", -1, 5).expect_err("bad");
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["currency_code", "units"]);
        let problems = Money::parse("eur", 1, 1_000_000_000).expect_err("bad");
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["currency_code", "nanos"]);
        assert!(Money::parse("CNY", 0, 0).is_ok());
    }

    #[test]
    fn share_is_compared_exactly_and_only_in_one_currency() {
        let reference = eur(1000, 0);
        assert_eq!(
            eur(299, 990_000_000).is_below_share_of(&reference, 30),
            Some(true)
        );
        assert_eq!(eur(300, 0).is_below_share_of(&reference, 30), Some(false));
        assert_eq!(
            eur(299, 999_999_999).is_below_share_of(&reference, 30),
            Some(true)
        );
        let yuan = Money::parse("CNY", 1, 0).expect("valid");
        assert_eq!(yuan.is_below_share_of(&reference, 30), None);
    }

    #[test]
    fn display_shows_two_decimals() {
        assert_eq!(eur(12, 500_000_000).to_string(), "EUR 12.50");
    }

    proptest! {
        #[test]
        fn below_share_matches_rational_arithmetic(
            price in 0_i64..10_000_000, price_nanos in 0_i32..1_000_000_000,
            reference in 0_i64..10_000_000, percent in 0_u32..=100,
        ) {
            let p = eur(price, price_nanos);
            let r = eur(reference, 0);
            let expected = (i128::from(price) * 1_000_000_000 + i128::from(price_nanos)) * 100
                < i128::from(reference) * 1_000_000_000 * i128::from(percent);
            prop_assert_eq!(p.is_below_share_of(&r, percent), Some(expected));
        }
    }
}
