//! Pure enforcement rules: no I/O, no clock, no database. Everything here is unit-tested.
//!
//! | module | rule |
//! |---|---|
//! | [`vocabulary`] | sources, grounds, outcomes and their stored names |
//! | [`case_state`] | the case state machine and the effects each transition causes |
//! | [`notice`] | notice completeness (DSA Art. 16) |
//! | [`priority`] | handling order and the notifier track record (good faith, Art. 23(2)) |
//! | [`statement`] | statements of reasons in DSA Transparency Database form |
//! | [`merkle`] | RFC 6962/9162 Merkle tree: hashes, proofs and their verification |
//! | [`audit`] | audit entries as leaves, signed tree heads (Ed25519) |

/// An enum with stable stored names: `ALL`, `as_str`, `parse` and `Display`.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The value with stored name `text`.
            #[must_use]
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod audit;
pub mod case_state;
pub mod merkle;
pub mod notice;
pub mod priority;
pub mod statement;
pub mod vocabulary;
pub mod window;
