//! The words of the domain, with the names they are stored under (stable, upper snake case, the
//! proto value name without its enum prefix).

named_enum!(
    /// Who filed a notice.
    NoticeSource {
        RightsHolder => "RIGHTS_HOLDER",
        Consumer => "CONSUMER",
        TrustedFlagger => "TRUSTED_FLAGGER",
        Regulator => "REGULATOR",
        /// The listing service's own screening (own initiative).
        AutomatedDetection => "AUTOMATED_DETECTION",
    }
);

named_enum!(
    /// The ground a notice alleges.
    NoticeGround {
        Counterfeit => "COUNTERFEIT",
        TrademarkInfringement => "TRADEMARK_INFRINGEMENT",
        DesignOrPatentInfringement => "DESIGN_OR_PATENT_INFRINGEMENT",
        SubstandardQuality => "SUBSTANDARD_QUALITY",
        UnsafeProduct => "UNSAFE_PRODUCT",
        ProhibitedProduct => "PROHIBITED_PRODUCT",
        MisleadingInformation => "MISLEADING_INFORMATION",
    }
);

impl NoticeGround {
    /// Whether an upheld case on this ground means the product itself is illegal, so its buyers
    /// must be told (DSA Art. 32). Misleading information is a listing defect, not the product's.
    #[must_use]
    pub const fn product_is_illegal(self) -> bool {
        !matches!(self, Self::MisleadingInformation)
    }

    /// Whether it is an intellectual-property ground (the ones a counter-notice answers).
    #[must_use]
    pub const fn is_intellectual_property(self) -> bool {
        matches!(
            self,
            Self::Counterfeit | Self::TrademarkInfringement | Self::DesignOrPatentInfringement
        )
    }
}

named_enum!(
    /// A reviewer's decision on a case.
    CaseOutcome {
        Uphold => "UPHOLD",
        Reject => "REJECT",
    }
);

named_enum!(
    /// A reviewer's decision on an appeal.
    AppealOutcome {
        Reverse => "REVERSE",
        Uphold => "UPHOLD",
    }
);

named_enum!(
    /// How serious an upheld violation is.
    Severity {
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
        Critical => "CRITICAL",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for s in NoticeSource::ALL {
            assert_eq!(NoticeSource::parse(s.as_str()), Some(*s));
        }
        for g in NoticeGround::ALL {
            assert_eq!(NoticeGround::parse(g.as_str()), Some(*g));
        }
        for o in CaseOutcome::ALL {
            assert_eq!(CaseOutcome::parse(o.as_str()), Some(*o));
        }
        for o in AppealOutcome::ALL {
            assert_eq!(AppealOutcome::parse(o.as_str()), Some(*o));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(*s));
        }
        assert_eq!(NoticeGround::parse("counterfeit"), None);
    }

    #[test]
    fn only_misleading_information_spares_buyers() {
        let spared: Vec<_> = NoticeGround::ALL
            .iter()
            .filter(|g| !g.product_is_illegal())
            .collect();
        assert_eq!(spared, [&NoticeGround::MisleadingInformation]);
    }
}
