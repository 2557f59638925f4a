//! The retention deadline: a closed seller's retention period is over, anonymise its
//! traceability data (see the store).

use futures::future::BoxFuture;
use genuine_runtime::outbox::{Failure, Handler, Message};

use crate::store::Store;

/// Fires `reputation.retention` deadlines (key: the seller id).
#[derive(Clone, Debug)]
pub struct RetentionEnd {
    store: Store,
}

impl RetentionEnd {
    /// A handler anonymising sellers in `store`.
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

impl Handler for RetentionEnd {
    fn handle<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let anonymised = self.store.anonymise_seller(&message.key).await?;
            tracing::info!(seller_id = %message.key, anonymised, "retention period over");
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, TimeDelta, Utc};
    use genuine_runtime::clock::ManualClock;
    use genuine_runtime::outbox::{Dispatcher, DispatcherConfig, Handlers, Wake};
    use genuine_runtime::storage::testing::TestDatabase;

    use super::*;
    use crate::domain::{Address, Registration, StandingRules};
    use crate::store::retention::{CLOSED_SELLER, RETENTION};
    use crate::store::{Actor, Migrator, NewSeller};

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
    }

    fn registration() -> Registration {
        Registration {
            legal_name: "Rossi Pelletteria S.r.l.".into(),
            display_name: "Rossi Bags".into(),
            email: "info@rossi.example.it".into(),
            phone: "+390551234567".into(),
            address: Address {
                lines: vec!["Via Roma 1".into()],
                city: "Firenze".into(),
                postal_code: "50123".into(),
                country_code: "IT".into(),
                ..Address::default()
            },
            trade_register_name: "Registro delle Imprese".into(),
            trade_register_number: "FI-1".into(),
            id_document_ref: "doc-1".into(),
            payment_account_ref: "acct-1".into(),
            self_certified: true,
        }
    }

    #[tokio::test]
    async fn traceability_data_is_anonymised_once_the_retention_period_is_over() {
        for test_db in TestDatabase::all_migrated::<Migrator>().await {
            let clock = ManualClock::at(start());
            let store = Store::new(
                test_db.db.clone(),
                StandingRules::default(),
                Arc::new(clock.clone()),
                Wake::new(),
            );
            let dispatcher = Dispatcher::new(
                test_db.db.clone(),
                Handlers::new().with(RETENTION, RetentionEnd::new(store.clone())),
                Arc::new(clock.clone()),
                DispatcherConfig::default(),
            );
            let seller = Actor::new("s-1", "seller");
            store
                .register(
                    NewSeller {
                        request_id: "r-1".into(),
                        seller_id: Some("s-1".into()),
                        registration: registration(),
                    },
                    &seller,
                )
                .await
                .expect("registered");
            let closed = store.close_seller("s-1", &seller).await.expect("closed");
            assert_eq!(closed.row.closed_at, Some(start().timestamp_millis()));
            let again = store.close_seller("s-1", &seller).await.expect("repeat");
            assert_eq!(again.row, closed.row, "closing again changes nothing");

            // A day before the end of the 183 days: nothing happens.
            clock.advance(TimeDelta::days(182));
            assert_eq!(dispatcher.run_once().await.expect("sweep"), 0);
            let kept = store.seller("s-1").await.expect("seller");
            assert_eq!(kept.registration(), registration());
            assert_eq!(kept.row.anonymized_at, None);

            clock.advance(TimeDelta::days(1) + TimeDelta::seconds(1));
            assert_eq!(dispatcher.run_once().await.expect("sweep"), 1);
            let gone = store.seller("s-1").await.expect("seller");
            assert_eq!(gone.row.seller_id, "s-1");
            assert_eq!(gone.row.display_name, CLOSED_SELLER);
            let r = gone.registration();
            for field in [
                &r.email,
                &r.phone,
                &r.address.city,
                &r.address.postal_code,
                &r.trade_register_number,
                &r.id_document_ref,
                &r.payment_account_ref,
            ] {
                assert!(field.is_empty(), "{r:?}");
            }
            assert!(r.address.lines.is_empty());
            assert_eq!(r.legal_name, CLOSED_SELLER);
            assert!(gone.row.anonymized_at.is_some());
            // Delivered once: a repeat of the deadline changes nothing.
            assert!(!store.anonymise_seller("s-1").await.expect("repeat"));
        }
    }
}
