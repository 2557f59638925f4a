//! Stable lower-case names of the domain's enums, as stored in the database and written in
//! logs. Renaming one is a data migration.

use super::standing::{InspectionResult, Severity, SuspensionOrigin, VerificationStatus};

/// The ground on which a violation was upheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ground {
    TrademarkCounterfeit,
    DesignOrPatentInfringement,
    SubstandardQuality,
    UnsafeProduct,
    ProhibitedProduct,
    MisleadingInformation,
}

/// An enum with a stored name.
pub trait Code: Sized + Copy + PartialEq + 'static {
    /// Every value with its name.
    const NAMES: &'static [(Self, &'static str)];

    /// The stored name.
    fn code(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(value, _)| *value == self)
            .map_or("", |(_, name)| name)
    }

    /// The value of a stored name.
    fn from_code(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(value, _)| *value)
    }
}

impl Code for Ground {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Ground::TrademarkCounterfeit, "trademark_counterfeit"),
        (
            Ground::DesignOrPatentInfringement,
            "design_or_patent_infringement",
        ),
        (Ground::SubstandardQuality, "substandard_quality"),
        (Ground::UnsafeProduct, "unsafe_product"),
        (Ground::ProhibitedProduct, "prohibited_product"),
        (Ground::MisleadingInformation, "misleading_information"),
    ];
}

impl Code for Severity {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Severity::Minor, "minor"),
        (Severity::Major, "major"),
        (Severity::Critical, "critical"),
    ];
}

impl Code for VerificationStatus {
    const NAMES: &'static [(Self, &'static str)] = &[
        (VerificationStatus::Pending, "pending"),
        (VerificationStatus::Verified, "verified"),
        (VerificationStatus::Rejected, "rejected"),
    ];
}

impl Code for InspectionResult {
    const NAMES: &'static [(Self, &'static str)] = &[
        (InspectionResult::Pass, "pass"),
        (InspectionResult::Fail, "fail"),
    ];
}

impl Code for SuspensionOrigin {
    const NAMES: &'static [(Self, &'static str)] = &[
        (SuspensionOrigin::Strikes, "strikes"),
        (SuspensionOrigin::Manual, "manual"),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Code + PartialEq + std::fmt::Debug>() {
        let mut names: Vec<&str> = T::NAMES.iter().map(|(_, n)| *n).collect();
        for (value, name) in T::NAMES {
            assert_eq!(value.code(), *name);
            assert_eq!(T::from_code(name), Some(*value));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), T::NAMES.len(), "names are unique");
        assert_eq!(T::from_code("nonsense"), None);
    }

    #[test]
    fn every_name_round_trips() {
        round_trips::<Ground>();
        round_trips::<Severity>();
        round_trips::<VerificationStatus>();
        round_trips::<InspectionResult>();
        round_trips::<SuspensionOrigin>();
    }
}
