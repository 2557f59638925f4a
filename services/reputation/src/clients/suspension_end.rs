//! The suspension-end deadline: when the period is over, end the suspension and enqueue the
//! reinstatement of the seller's listings (same transaction, see the store).

use futures::future::BoxFuture;
use genuine_runtime::outbox::{Failure, Handler, Message};

use crate::store::Store;

/// Fires `reputation.suspension_end` deadlines (key: the suspension id).
#[derive(Clone, Debug)]
pub struct SuspensionEnd {
    store: Store,
}

impl SuspensionEnd {
    /// A handler ending suspensions in `store`.
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

impl Handler for SuspensionEnd {
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let ended = self.store.end_suspension(&message.key).await?;
            tracing::info!(suspension_id = %message.key, ended, "suspension period over");
            Ok(())
        })
    }
}
