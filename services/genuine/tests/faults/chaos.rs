//! The faults: SIGKILL of each service at seeded moments of the run (measured in completed flows)
//! and its restart, and one immediate stop of PostgreSQL for a few seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::postgres::PrivatePostgres;
use crate::services::{RECOVERY, Services, Svc};

/// How long PostgreSQL stays down.
const DATABASE_OUTAGE: Duration = Duration::from_secs(4);

/// One fault.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Kill(Svc),
    StopDatabase,
}

/// When a fault fires (flows completed, then a pause) and how long the process stays dead.
#[derive(Debug, Clone, Copy)]
struct Moment {
    after_flows: usize,
    pause: Duration,
    down_for: Duration,
}

/// The seeded schedule of faults.
pub struct Chaos {
    schedule: Vec<(Moment, Fault)>,
}

/// What was done.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    pub kills: [usize; 3],
    pub database_stops: usize,
}

impl Chaos {
    /// `kills_per_service` kills of each service and one database stop spread over `flows`
    /// flows (the stop in the middle third); each with a seeded pause before it fires, so kills
    /// land at random points of calls and deliveries.
    pub fn plan(seed: u64, flows: usize, kills_per_service: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(seed.rotate_left(17));
        let mut faults: Vec<Fault> = Svc::ALL
            .iter()
            .flat_map(|svc| std::iter::repeat_n(Fault::Kill(*svc), kills_per_service))
            .collect();
        faults.shuffle(&mut rng);
        let mut moment = |from: usize, to: usize| Moment {
            after_flows: rng.random_range(from..=to),
            pause: Duration::from_millis(rng.random_range(0..400)),
            down_for: Duration::from_millis(rng.random_range(100..1500)),
        };
        let mut schedule: Vec<(Moment, Fault)> = faults
            .into_iter()
            .map(|fault| (moment(flows / 20, flows * 19 / 20), fault))
            .collect();
        schedule.push((moment(flows / 3, flows * 2 / 3), Fault::StopDatabase));
        schedule.sort_by_key(|(moment, _)| moment.after_flows);
        Self { schedule }
    }

    /// Fires the faults as `completed` passes their points (all remaining ones once `done` is
    /// set), restarting what it killed; answers the services, all SERVING again, and what it did.
    pub async fn run(
        self,
        mut services: Services,
        postgres: Arc<PrivatePostgres>,
        completed: Arc<AtomicUsize>,
        done: Arc<AtomicBool>,
    ) -> (Services, Faults) {
        let mut faults = Faults::default();
        for (moment, fault) in self.schedule {
            while completed.load(Ordering::SeqCst) < moment.after_flows
                && !done.load(Ordering::SeqCst)
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tokio::time::sleep(moment.pause).await;
            match fault {
                Fault::Kill(svc) => {
                    let process = services.process(svc);
                    process.kill();
                    faults.kills[svc as usize] += 1;
                    tokio::time::sleep(moment.down_for).await;
                    process.restart();
                    process.wait_serving(RECOVERY).await;
                }
                Fault::StopDatabase => {
                    let stopped = postgres.clone();
                    tokio::task::spawn_blocking(move || stopped.stop_immediately())
                        .await
                        .expect("stop");
                    faults.database_stops += 1;
                    tokio::time::sleep(DATABASE_OUTAGE).await;
                    let started = postgres.clone();
                    tokio::task::spawn_blocking(move || started.start_again())
                        .await
                        .expect("start");
                    services.wait_all_serving().await;
                }
            }
        }
        services.wait_all_serving().await;
        (services, faults)
    }
}
