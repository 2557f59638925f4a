//! The catalogue the service screens against: an `Arc` snapshot behind a lock. Readers clone
//! the `Arc` (a few nanoseconds under the read lock) and screen without holding anything;
//! writers build the next snapshot outside the lock, one at a time, and swap it in. Changes
//! apply to the next screening without a restart.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::catalog::{BrandProfile, Catalog, TermEntry};
use super::matcher::BuildError;
use super::pdq::PdqHash;

/// The live catalogue.
#[derive(Debug, Default)]
pub struct LiveCatalog {
    current: RwLock<Arc<Catalog>>,
    /// Serialises writers so that no update is lost between reading and swapping.
    writer: Mutex<()>,
}

impl LiveCatalog {
    /// Starts from `catalog` (built from the database at start-up).
    #[must_use]
    pub fn new(catalog: Catalog) -> Self {
        Self {
            current: RwLock::new(Arc::new(catalog)),
            writer: Mutex::new(()),
        }
    }

    /// The current snapshot.
    #[must_use]
    pub fn snapshot(&self) -> Arc<Catalog> {
        // A panic while holding the lock cannot leave a half-written `Arc`: recover the value.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn update(
        &self,
        next: impl FnOnce(&Catalog) -> Result<Catalog, BuildError>,
    ) -> Result<(), BuildError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let built = next(&self.snapshot())?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(built);
        Ok(())
    }

    /// Adds or replaces a brand.
    ///
    /// # Errors
    /// When the term automaton cannot be rebuilt; the old snapshot stays.
    pub fn upsert_brand(&self, brand: BrandProfile) -> Result<(), BuildError> {
        self.update(|c| c.with_brand(brand))
    }

    /// Adds prohibited terms.
    ///
    /// # Errors
    /// When the term automaton cannot be rebuilt; the old snapshot stays.
    pub fn add_terms(&self, terms: Vec<TermEntry>) -> Result<(), BuildError> {
        if terms.is_empty() {
            return Ok(());
        }
        self.update(|c| c.with_terms(terms))
    }

    /// Adds known-counterfeit hashes.
    pub fn add_images(&self, images: Vec<(PdqHash, String)>) {
        if images.is_empty() {
            return;
        }
        // Adding hashes cannot fail.
        let _ = self.update(|c| Ok(c.with_images(images)));
    }

    /// Replaces the whole catalogue (a periodic reload from the database).
    pub fn replace(&self, catalog: Catalog) {
        let _ = self.update(|_| Ok(catalog));
    }
}
