//! `create-listing`: CreateListing end to end on the real listing service — validation,
//! idempotency look-up, screening against the brand catalogue and the PDQ index, the standing
//! call to a real seller-reputation (50 ms deadline), and the listing, its hold and its outbox
//! notice written in one transaction (delivered to a sink standing in for enforcement).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use genuine_contracts::genuine::listing::v1 as pb;
use pb::listing_service_client::ListingServiceClient;

use super::{Prepared, authed, status_label};
use crate::args::BenchArgs;
use crate::database::settle;
use crate::load::Op;
use crate::seed;
use crate::suite::{Service, Suite};

/// The error label of a listing held only because seller-reputation did not answer in time: the
/// call succeeded, but the system was past its limit.
pub const DEGRADED: &str = "degraded: STANDING_UNAVAILABLE";

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let (suite, token) = screening_suite(args).await?;
    let clients: Vec<_> = suite
        .channels(Service::Listing, args.channels)
        .into_iter()
        .map(ListingServiceClient::new)
        .collect();
    let next = Arc::new(AtomicU64::new(0));
    let (seed, brands, sellers) = (args.seed, args.brands, args.sellers);
    let op: Op = Arc::new(move |worker| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let mut client = clients[worker % clients.len()].clone();
        let request = authed(seed::draft(seed, n, brands, sellers), &token);
        Box::pin(async move {
            let reply = client
                .create_listing(request)
                .await
                .map_err(|s| status_label(&s))?;
            let standing_missing = reply
                .get_ref()
                .listing
                .as_ref()
                .and_then(|l| l.screening.as_ref())
                .is_some_and(|s| {
                    s.signals
                        .iter()
                        .any(|signal| signal.code == pb::SignalCode::StandingUnavailable as i32)
                });
            if standing_missing {
                return Err(DEGRADED.to_owned());
            }
            Ok(())
        })
    });
    Ok(Prepared {
        op,
        backend: suite.backend().name(),
        data: format!(
            "{} brands, {} hashes, {} sellers",
            args.brands, args.hashes, args.sellers
        ),
        keep: Box::new(suite),
    })
}

/// A real listing service screening against the generated catalogue (`--brands`, `--hashes`,
/// bulk-written before it starts) with a real seller-reputation knowing `--sellers` verified
/// sellers; and an admin token. The catalogue's periodic reload is off: a background cost, not
/// a per-request one, that would land in some rounds and not others.
pub(super) async fn screening_suite(args: &BenchArgs) -> anyhow::Result<(Suite, String)> {
    let mut suite = Suite::prepare(&[Service::Reputation, Service::Listing], args).await?;
    suite.set("GENUINE_LISTING_CATALOG_RELOAD_INTERVAL", "0s");
    if args.smoke {
        // A smoke run proves the path works, on CI machines loaded past the 50 ms standing
        // deadline now and then: a listing degraded by that would fail it for noise.
        suite.set("GENUINE_LISTING_STANDING_DEADLINE", "5s");
    }
    genuine_listing::migrate(suite.source()).await?;
    let db = suite.database(Service::Listing).connect(1).await?;
    seed::catalogue(&db, args.seed, args.brands, args.hashes).await?;
    settle(&db).await?;
    db.close().await.ok();
    suite.start().await?;
    let token = suite.admin_token()?;
    let reputation = suite.channels(Service::Reputation, 1).remove(0);
    seed::sellers(reputation, &token, args.sellers).await?;
    Ok((suite, token))
}
