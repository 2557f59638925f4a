//! `report`: GetTransparencyReport for a whole year, for all jurisdictions, on a real
//! enforcement whose report counters are those `--cases` cases leave over that year in the 30
//! EU/EEA jurisdictions (bulk-written by SQL into the database the real migrations made, before
//! the service starts). The report sums counters, not cases, so its cost is days × metrics.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use genuine_contracts::genuine::enforcement::v1 as pb;
use genuine_enforcement::domain::statement::EU_EEA;
use genuine_enforcement::testing::{CasePeriod, seed_report_counters};
use pb::enforcement_service_client::EnforcementServiceClient;

use super::{Prepared, authed, status_label};
use crate::args::BenchArgs;
use crate::database::settle;
use crate::load::Op;
use crate::suite::{Service, Suite};

/// The year reported on.
const YEAR: i32 = 2025;

pub(super) async fn prepare(args: &BenchArgs) -> anyhow::Result<Prepared> {
    let mut suite = Suite::prepare(&[Service::Enforcement], args).await?;
    genuine_enforcement::migrate(suite.source()).await?;
    let first_day = NaiveDate::from_ymd_opt(YEAR, 1, 1).expect("a valid day");
    let period = CasePeriod {
        cases: args.cases,
        first_day,
        // Smoke: a month in two jurisdictions, so seeding takes no time.
        days: if args.smoke { 30 } else { 365 },
        jurisdictions: EU_EEA
            .iter()
            .take(if args.smoke { 2 } else { EU_EEA.len() })
            .map(|j| (*j).to_owned())
            .collect(),
    };
    let db = suite.database(Service::Enforcement).connect(1).await?;
    eprintln!(
        "bench: writing the report counters of {} cases…",
        args.cases
    );
    let rows = seed_report_counters(&db, &period).await?;
    settle(&db).await?;
    db.close().await.ok();
    suite.start().await?;
    let token = suite.admin_token()?;
    let clients: Vec<_> = suite
        .channels(Service::Enforcement, args.channels)
        .into_iter()
        .map(EnforcementServiceClient::new)
        .collect();
    let year = |y| prost_types::Timestamp {
        seconds: Utc
            .with_ymd_and_hms(y, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid time")
            .timestamp(),
        nanos: 0,
    };
    let request = pb::GetTransparencyReportRequest {
        start_time: Some(year(YEAR)),
        end_time: Some(year(YEAR + 1)),
        jurisdiction: String::new(),
    };
    let expected = args.cases;
    let token = Arc::new(token);
    let op: Op = Arc::new(move |worker| {
        let mut client = clients[worker % clients.len()].clone();
        let request = authed(request.clone(), &token);
        Box::pin(async move {
            let reply = client
                .get_transparency_report(request)
                .await
                .map_err(|s| status_label(&s))?;
            let total = reply.get_ref().report.as_ref().map(|r| r.notices_total);
            // A fast report that sums the wrong rows would be no result.
            if total != Some(expected) {
                return Err(format!("wrong total {total:?}"));
            }
            Ok(())
        })
    });
    Ok(Prepared {
        op,
        backend: suite.backend().name(),
        data: format!(
            "{} cases over {} days in {} jurisdictions ({rows} counter rows)",
            args.cases,
            period.days,
            period.jurisdictions.len()
        ),
        keep: Box::new(suite),
    })
}
