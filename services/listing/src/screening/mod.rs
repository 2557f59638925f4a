//! The screening engine: pure rules, no I/O. Text normalisation and one-pass term matching,
//! price rules, PDQ hashing and the Hamming-distance index, seller standing, and the score and
//! decision. The api layer feeds it validated drafts and a standing read from seller-reputation.

pub mod catalog;
pub mod hash_index;
pub mod image_set;
pub mod live;
pub mod matcher;
pub mod normalize;
pub mod pdq;
pub mod scoring;

#[cfg(test)]
mod catalog_tests;

pub use catalog::{BrandProfile, Catalog, Draft, SellerStanding, Standing, TermEntry};
pub use image_set::{ImageSet, ImageSetBuilder};
pub use live::LiveCatalog;
pub use pdq::{ImageHash, ImageLimits, PdqHash};
pub use scoring::{Assessment, Decision, ScreeningConfig, Signal, SignalCode, Weights};
