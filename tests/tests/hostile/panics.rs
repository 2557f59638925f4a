//! Counts panics of the services: they run in-process, so a handler that panics (and drops its
//! connection) shows here even when the client sees only a transport error. A failing
//! assertion of a test running in parallel is not counted: test threads are named after their
//! test (`module::name`), or `main` when tests run one at a time.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Installs the counting hook (once); the default hook still prints.
pub fn watch() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or_default();
            if !(name.contains("::") || name == "main") {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

/// Panics seen so far.
pub fn count() -> usize {
    PANICS.load(Ordering::SeqCst)
}
