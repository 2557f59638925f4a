//! What get-case and gateway-read both read: a real enforcement whose cases were opened through
//! its own store (rights holders' counterfeit notices, one case per listing), in one
//! jurisdiction, and the token of a regulator of that jurisdiction allowed to read cases.

use std::sync::Arc;

use genuine_enforcement::domain::audit::AuditSigner;
use genuine_enforcement::store::{Rules, Store};
use genuine_enforcement::testing::seed_cases;

use crate::args::BenchArgs;
use crate::database::settle;
use crate::suite::{Service, Suite};

/// The jurisdiction of the cases and of the regulator reading them.
pub(super) const JURISDICTION: &str = "DE";

/// Cases opened before a run; every read is of one of them, in turn.
const CASES: usize = 2_000;
const SMOKE_CASES: usize = 100;

/// A running enforcement with cases to read.
pub(super) struct CaseReads {
    pub suite: Suite,
    pub case_ids: Arc<Vec<String>>,
    /// A regulator of [`JURISDICTION`] with the `cases:read` scope.
    pub token: String,
}

impl CaseReads {
    /// What the tables' titles say was seeded.
    pub fn data(&self) -> String {
        format!("{} cases in {JURISDICTION}", self.case_ids.len())
    }
}

pub(super) async fn start(args: &BenchArgs) -> anyhow::Result<CaseReads> {
    let mut suite = Suite::prepare(&[Service::Enforcement], args).await?;
    // The store that seeds and the service sign the audit log with the same key.
    let signer = AuditSigner::generate();
    suite.set("GENUINE_ENFORCEMENT_AUDIT_SIGNING_KEY", signer.secret_hex());
    genuine_enforcement::migrate(suite.source()).await?;
    let db = suite.database(Service::Enforcement).connect(1).await?;
    let store = Store::new(
        db.clone(),
        genuine_runtime::clock::system(),
        signer,
        Rules::default(),
    );
    let count = if args.smoke { SMOKE_CASES } else { CASES };
    let case_ids = seed_cases(&store, count, JURISDICTION)
        .await
        .map_err(|e| anyhow::anyhow!("seeding cases: {e}"))?;
    drop(store);
    settle(&db).await?;
    db.close().await.ok();
    anyhow::ensure!(case_ids.len() == count, "{} cases opened", case_ids.len());
    suite.start().await?;
    let token = suite.regulator_token(JURISDICTION, &["cases:read"])?;
    Ok(CaseReads {
        suite,
        case_ids: Arc::new(case_ids),
        token,
    })
}
