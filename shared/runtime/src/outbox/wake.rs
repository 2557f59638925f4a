//! How writers reach their process's dispatcher after a commit: a wake-up (sweep now) or a
//! handover (deliver these rows, which the writer inserted already claimed for it).
//!
//! A handover saves the claim: the rows were written with the dispatcher's lease in the
//! writer's own transaction, so the dispatcher need not find and claim them again. Nothing is
//! only in memory: if the process dies before delivering, the lease expires and any dispatcher
//! claims the rows as usual.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::Message;

/// Messages handed over but not yet taken by the dispatcher, beyond which writers insert
/// unclaimed rows and wake it instead: bounds the memory a stalled dispatcher can hold.
const MAX_HANDED_OVER: usize = 4_096;

/// Rows a writer inserted already claimed until `lease_until` (clock milliseconds), for its
/// dispatcher to deliver. Made by [`super::enqueue_for_handover`], given by [`Wake::hand_over`].
#[derive(Debug, Default)]
#[must_use = "hand it over after COMMIT, or its rows wait for their lease to expire"]
pub struct Handover {
    pub(crate) lease_until: i64,
    pub(crate) messages: Vec<Message>,
    /// Rows inserted without a lease (no dispatcher to hand to, or messages due later): the
    /// dispatcher must be woken for them.
    pub(crate) unclaimed: bool,
}

impl Handover {
    /// Messages it hands over (the rest, if any, wait for a sweep).
    #[must_use]
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether it hands nothing over.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[derive(Debug, Default)]
struct Shared {
    /// A sweep is wanted.
    sweep: Notify,
    /// A handover is waiting.
    handed: Notify,
    queue: Mutex<Vec<Handover>>,
    /// The attached dispatcher's lease in milliseconds; 0 while none runs.
    lease_ms: AtomicI64,
}

/// A cloneable handle that wakes the dispatcher: call [`Wake::wake`] after committing a
/// transaction that enqueued something, so delivery starts now instead of at the next poll, or
/// [`Wake::hand_over`] with what [`super::enqueue_for_handover`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Shared>);

impl Wake {
    /// A handle not yet attached to a dispatcher (see [`super::Dispatcher::with_wake`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for a sweep now. Cheap; wake-ups while a sweep runs collapse into one more sweep.
    pub fn wake(&self) {
        self.0.sweep.notify_one();
    }

    /// Gives the dispatcher the rows `handover` claimed for it (call after COMMIT; a rolled back
    /// handover must be dropped instead), and wakes it for any rows written unclaimed.
    pub fn hand_over(&self, handover: Handover) {
        if handover.unclaimed {
            self.wake();
        }
        if handover.messages.is_empty() {
            return;
        }
        self.lock_queue().push(handover);
        self.0.handed.notify_one();
    }

    /// The lease to claim new rows with, when a dispatcher runs and has room for more.
    pub(crate) fn lease_for_handover(&self) -> Option<i64> {
        let lease_ms = self.0.lease_ms.load(Ordering::Acquire);
        let queued: usize = self.lock_queue().iter().map(Handover::len).sum();
        (lease_ms > 0 && queued < MAX_HANDED_OVER).then_some(lease_ms)
    }

    /// Marks a dispatcher with this lease as running (`None`: stopped).
    pub(crate) fn attach(&self, lease_ms: Option<i64>) {
        self.0
            .lease_ms
            .store(lease_ms.unwrap_or(0).max(0), Ordering::Release);
    }

    /// The handovers waiting, oldest first.
    pub(crate) fn take_handed(&self) -> Vec<Handover> {
        std::mem::take(&mut *self.lock_queue())
    }

    pub(crate) async fn sweep_wanted(&self) {
        self.0.sweep.notified().await;
    }

    pub(crate) async fn handover_waiting(&self) {
        self.0.handed.notified().await;
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Handover>> {
        // A panic while holding the lock leaves a plain Vec: still usable.
        self.0
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
