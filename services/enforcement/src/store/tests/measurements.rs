//! The report and the audit log over bulk-seeded data. Every run checks them at a small scale
//! (the report sums day counters correctly; proofs and full verification hold over thousands of
//! entries seeded with their kept subtrees). With `GENUINE_MEASURE_AT_SCALE=1` the same tests
//! seed a year of a million cases / 100,000 audit entries, print the timings and hold the report
//! to its 200 ms target:
//! `GENUINE_MEASURE_AT_SCALE=1 cargo test -p genuine-enforcement --lib at_scale -- --nocapture`.

use super::*;

/// Whether to seed the full-size data and time it (a measurement), not the small check.
fn at_scale() -> bool {
    std::env::var("GENUINE_MEASURE_AT_SCALE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The counters a year of a million cases in 30 jurisdictions leaves (at scale; a month of
/// 2,730 cases in one jurisdiction otherwise), seeded by the shared bulk seeder, then a year's
/// report for all jurisdictions and for one.
#[tokio::test]
async fn report_at_scale() {
    use crate::testing::{CasePeriod, seed_report_counters};
    let measuring = at_scale();
    let start_day = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("day");
    let period = CasePeriod {
        cases: if measuring { 1_000_000 } else { 2_730 },
        first_day: start_day.date_naive(),
        days: if measuring { 365 } else { 30 },
        jurisdictions: crate::domain::statement::EU_EEA
            .iter()
            .filter(|c| measuring || **c == "DE")
            .map(|c| (*c).to_owned())
            .collect(),
    };
    for f in fixtures().await {
        let total = seed_report_counters(f.store.db(), &period)
            .await
            .expect("seed");
        let (from, to) = (
            start_day.date_naive(),
            (start_day + Duration::days(365)).date_naive(),
        );
        for jurisdiction in [None, Some("DE")] {
            let mut best = std::time::Duration::MAX;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let counts = f
                    .store
                    .report_counts(from, to, jurisdiction)
                    .await
                    .expect("report");
                best = best.min(t.elapsed());
                let cases = counts.get(report::metric::NOTICES);
                if jurisdiction.is_none() {
                    assert_eq!(cases, period.cases as i64);
                } else {
                    // DE is one of the jurisdictions sharing the cases evenly (the remainder
                    // of the even split adds at most one case to a day).
                    let share = period.cases as i64 / period.jurisdictions.len() as i64;
                    let days = i64::from(period.days);
                    assert!((share - days..=share + days).contains(&cases), "{cases}");
                }
                let by_status: i64 = counts
                    .with_prefix(report::metric::BY_STATUS)
                    .iter()
                    .map(|(_, n)| n)
                    .sum();
                assert_eq!(by_status, cases);
                assert!(counts.delay_quantile(0.9).is_some());
            }
            println!(
                "{:?}: {total} counter rows, year report for {jurisdiction:?}: best of 5 = {best:?}",
                f._db.backend
            );
            if measuring {
                assert!(best < std::time::Duration::from_millis(200), "{best:?}");
            }
        }
    }
}

/// The audit log at 100,000 entries (at scale; 2,000 otherwise): proof generation, full
/// verification and an append on top of the seeded log.
#[tokio::test]
async fn audit_at_scale() {
    use crate::domain::audit::{AuditRecord, append_with_nodes, digest};
    use crate::domain::merkle::Frontier;
    let n: u64 = if at_scale() { 100_000 } else { 2_000 };
    for f in fixtures().await {
        let db = f.store.db();
        let mut frontier = Frontier::new();
        let mut rows = Vec::new();
        let mut nodes = Vec::new();
        for i in 0..n {
            let record = AuditRecord {
                time_millis: 1_772_000_000_000 + i as i64,
                actor_subject: "rev-1".into(),
                actor_role: "reviewer".into(),
                kind: "case.upheld".into(),
                subject_id: format!("case-{i}"),
                payload_digest: digest(&i.to_be_bytes()),
            };
            let appended = append_with_nodes(&mut frontier, record, f.store.signer());
            for (level, pos, hash) in &appended.nodes {
                nodes.push(format!("({level}, {pos}, '{}')", hex::encode(hash)));
            }
            let e = appended.entry;
            rows.push(format!(
                "({}, {}, 'rev-1', 'reviewer', 'case.upheld', '{}', '{}', '{}', '{}', '{}')",
                e.index,
                e.record.time_millis,
                e.record.subject_id,
                hex::encode(e.record.payload_digest),
                hex::encode(&e.leaf_hash),
                hex::encode(&e.root),
                hex::encode(&e.signature)
            ));
        }
        for chunk in rows.chunks(2000) {
            let sql = format!(
                "INSERT INTO audit_log (idx, at, actor_subject, actor_role, kind, subject_id, payload_digest, leaf_hash, root, signature) VALUES {}",
                chunk.join(",")
            );
            db.execute_unprepared(&sql).await.expect("seed");
        }
        for chunk in nodes.chunks(2000) {
            let sql = format!(
                "INSERT INTO audit_nodes (level, pos, hash) VALUES {}",
                chunk.join(",")
            );
            db.execute_unprepared(&sql).await.expect("seed nodes");
        }
        let state = format!(
            "UPDATE audit_state SET tree_size = {n}, frontier = '{}' WHERE id = 1",
            hex::encode(frontier.to_bytes())
        );
        db.execute_unprepared(&state).await.expect("state");

        let t = std::time::Instant::now();
        let proofs = audit::proofs(db, n / 3, 0, n / 2).await.expect("proofs");
        let proof_time = t.elapsed();
        assert_eq!(proofs.tree_size, n);
        let t = std::time::Instant::now();
        let verified = audit::verify(db, f.store.signer(), 0, f.clock.now())
            .await
            .expect("verify");
        let verify_time = t.elapsed();
        assert_eq!((verified.checked, verified.finding), (n, None));
        let t = std::time::Instant::now();
        audit::append(
            db,
            f.store.signer(),
            &Actor::service(genuine_runtime::auth::ServiceName::Enforcement),
            f.clock.now(),
            "x",
            "y",
            &"z",
        )
        .await
        .expect("append");
        let append_time = t.elapsed();
        println!(
            "{:?}: {n} entries: proof {proof_time:?}, verify {verify_time:?}, append {append_time:?}",
            f._db.backend
        );
    }
}
