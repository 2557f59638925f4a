//! A listing's status is not stored as a state machine but derived from its active measures, so
//! that ending one measure (a case restored, a seller reinstated) publishes the listing only
//! when no other measure remains.

/// Something that keeps a listing from being published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeasureKind {
    /// Screening held the listing for review.
    ScreeningHold,
    /// Screening blocked the listing.
    ScreeningBlock,
    /// An enforcement case took it down (keyed by case id).
    CaseTakedown,
    /// The seller is suspended (keyed by suspension id).
    SellerSuspension,
    /// The seller withdrew it.
    Withdrawal,
}

impl MeasureKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::ScreeningHold,
        Self::ScreeningBlock,
        Self::CaseTakedown,
        Self::SellerSuspension,
        Self::Withdrawal,
    ];

    /// Stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ScreeningHold => "screening_hold",
            Self::ScreeningBlock => "screening_block",
            Self::CaseTakedown => "case_takedown",
            Self::SellerSuspension => "seller_suspension",
            Self::Withdrawal => "withdrawal",
        }
    }

    /// From the stored form.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether screening imposes it (replaced on every re-screening).
    #[must_use]
    pub const fn is_screening(self) -> bool {
        matches!(self, Self::ScreeningHold | Self::ScreeningBlock)
    }
}

/// Where a listing stands (mirrors the contract's `ListingStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListingStatus {
    Active,
    Held,
    Blocked,
    TakenDown,
    Suspended,
    Withdrawn,
}

impl ListingStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Active,
        Self::Held,
        Self::Blocked,
        Self::TakenDown,
        Self::Suspended,
        Self::Withdrawn,
    ];

    /// Stored form (an indexed column, for listing by status).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Held => "held",
            Self::Blocked => "blocked",
            Self::TakenDown => "taken_down",
            Self::Suspended => "suspended",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// From the stored form.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The status that `active` measures lead to. With several, the one a person most needs to
/// know wins: the seller's own withdrawal, then a case's take-down (a decision by a person),
/// then a suspension, then screening's block and hold.
#[must_use]
pub fn derive_status(active: impl IntoIterator<Item = MeasureKind>) -> ListingStatus {
    active
        .into_iter()
        .map(|kind| match kind {
            MeasureKind::Withdrawal => (5, ListingStatus::Withdrawn),
            MeasureKind::CaseTakedown => (4, ListingStatus::TakenDown),
            MeasureKind::SellerSuspension => (3, ListingStatus::Suspended),
            MeasureKind::ScreeningBlock => (2, ListingStatus::Blocked),
            MeasureKind::ScreeningHold => (1, ListingStatus::Held),
        })
        .max_by_key(|(rank, _)| *rank)
        .map_or(ListingStatus::Active, |(_, status)| status)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn table_of_statuses() {
        use MeasureKind as M;
        let cases: [(&[MeasureKind], ListingStatus); 7] = [
            (&[], ListingStatus::Active),
            (&[M::ScreeningHold], ListingStatus::Held),
            (&[M::ScreeningBlock], ListingStatus::Blocked),
            (
                &[M::CaseTakedown, M::SellerSuspension],
                ListingStatus::TakenDown,
            ),
            (
                &[M::SellerSuspension, M::ScreeningHold],
                ListingStatus::Suspended,
            ),
            (
                &[M::SellerSuspension, M::SellerSuspension],
                ListingStatus::Suspended,
            ),
            (&[M::Withdrawal, M::CaseTakedown], ListingStatus::Withdrawn),
        ];
        for (measures, expected) in cases {
            assert_eq!(
                derive_status(measures.iter().copied()),
                expected,
                "{measures:?}"
            );
        }
    }

    #[test]
    fn stored_forms_round_trip() {
        for kind in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(kind.as_str()), Some(kind));
        }
        for status in ListingStatus::ALL {
            assert_eq!(ListingStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(MeasureKind::parse("nope"), None);
    }

    proptest! {
        #[test]
        fn active_only_without_measures_and_order_does_not_matter(picks in prop::collection::vec(0_usize..5, 0..8)) {
            let measures: Vec<_> = picks.iter().map(|i| MeasureKind::ALL[*i]).collect();
            let status = derive_status(measures.iter().copied());
            prop_assert_eq!(status == ListingStatus::Active, measures.is_empty());
            let mut reversed = measures.clone();
            reversed.reverse();
            prop_assert_eq!(derive_status(reversed), status);
        }
    }
}
