//! Proto enums in JSON: the value names of the contract (`CASE_STATUS_OPEN`), as the proto3 JSON
//! mapping spells them, with OpenAPI schemas listing every value generated from the contract.

/// Defines a JSON/OpenAPI wrapper for a generated proto enum.
macro_rules! proto_enum {
    ($(#[doc = $doc:literal])* $name:ident => $proto:ty) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub i32);

        impl $name {
            /// Every value name of the contract, in number order.
            #[must_use]
            pub fn names() -> Vec<&'static str> {
                (0..128)
                    .filter_map(|i| <$proto>::try_from(i).ok())
                    .map(|v| v.as_str_name())
                    .collect()
            }

            /// The number of a value name, if the contract has it.
            #[must_use]
            pub fn number(name: &str) -> Option<i32> {
                <$proto>::from_str_name(name).map(|v| v as i32)
            }

            /// The value name (the zero value's for numbers the contract does not know).
            #[must_use]
            pub fn name(self) -> &'static str {
                <$proto>::try_from(self.0)
                    .unwrap_or_default()
                    .as_str_name()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::number(&name).map(Self).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value `{name}`, expected one of {}",
                        Self::names().join(", ")
                    ))
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::names()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

use genuine_contracts::genuine::enforcement::v1 as enf;
use genuine_contracts::genuine::listing::v1 as lst;
use genuine_contracts::genuine::reputation::v1 as rep;

proto_enum!(/// Who filed a notice.
    NoticeSource => enf::NoticeSource);
proto_enum!(/// The ground a notice alleges.
    NoticeGround => enf::NoticeGround);
proto_enum!(/// Where a notice is in its life.
    NoticeStatus => enf::NoticeStatus);
proto_enum!(/// The case state machine.
    CaseStatus => enf::CaseStatus);
proto_enum!(/// Handling order.
    CasePriority => enf::CasePriority);
proto_enum!(/// A reviewer's decision.
    CaseOutcome => enf::CaseOutcome);
proto_enum!(/// How serious an upheld violation is.
    Severity => enf::Severity);
proto_enum!(/// What happened to a case.
    CaseEventKind => enf::CaseEventKind);
proto_enum!(/// DSA TDB `decision_visibility`.
    DecisionVisibility => enf::DecisionVisibility);
proto_enum!(/// DSA TDB `decision_account`.
    DecisionAccount => enf::DecisionAccount);
proto_enum!(/// DSA TDB `decision_ground`.
    DecisionGround => enf::DecisionGround);
proto_enum!(/// DSA TDB `content_type`.
    ContentType => enf::ContentType);
proto_enum!(/// DSA TDB `category`.
    StatementCategory => enf::StatementCategory);
proto_enum!(/// DSA TDB `category_specification` keyword.
    Keyword => enf::Keyword);
proto_enum!(/// DSA TDB `source_type`.
    SourceType => enf::Source);
proto_enum!(/// DSA TDB `automated_decision`.
    AutomatedDecision => enf::AutomatedDecision);
proto_enum!(/// DSA TDB `account_type`.
    AccountType => enf::AccountType);
proto_enum!(/// What audit verification found wrong.
    AuditProblem => enf::AuditProblem);
proto_enum!(/// Traceability verification status.
    VerificationStatus => rep::VerificationStatus);
proto_enum!(/// Standing tier.
    SellerTier => rep::SellerTier);
proto_enum!(/// Violation severity.
    ViolationSeverity => rep::ViolationSeverity);
proto_enum!(/// Violation ground.
    ViolationGround => rep::ViolationGround);
proto_enum!(/// Whether a violation still counts.
    ViolationState => rep::ViolationState);
proto_enum!(/// A quality-inspection result.
    InspectionResult => rep::InspectionResult);
proto_enum!(/// Where a listing stands.
    ListingStatus => lst::ListingStatus);
proto_enum!(/// What screening decided.
    ScreeningDecision => lst::ScreeningDecision);
proto_enum!(/// Why screening scored a listing.
    SignalCode => lst::SignalCode);
proto_enum!(/// What keeps a listing from being published.
    MeasureKind => lst::MeasureKind);

/// Wraps a list of enum numbers.
pub fn all<T>(values: &[i32], wrap: fn(i32) -> T) -> Vec<T> {
    values.iter().copied().map(wrap).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_contract_and_round_trip() {
        assert_eq!(CaseStatus::names()[0], "CASE_STATUS_UNSPECIFIED");
        assert!(CaseStatus::names().contains(&"CASE_STATUS_REVERSED"));
        let json = serde_json::to_string(&CaseStatus(1)).expect("json");
        assert_eq!(json, "\"CASE_STATUS_OPEN\"");
        let back: CaseStatus = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, CaseStatus(1));
        assert_eq!(CaseStatus(999).name(), "CASE_STATUS_UNSPECIFIED");
        let err = serde_json::from_str::<NoticeGround>("\"FAKE\"").expect_err("unknown");
        assert!(
            err.to_string().contains("NOTICE_GROUND_COUNTERFEIT"),
            "{err}"
        );
    }
}
