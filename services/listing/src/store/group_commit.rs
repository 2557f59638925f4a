//! Group commit of CreateListings: one writer task takes the creates queued while the previous
//! batch was being written (and those arriving within a short linger), writes them in one
//! transaction ([`super::create_listings`]) and answers each caller. Under load the queue fills
//! while a batch commits, so batches grow by themselves and the database sees one transaction
//! (one WAL flush) per batch instead of one per listing; alone, a create waits at most the
//! linger.

use std::time::Duration;

use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::outbox::Wake;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::create::{CreateRequest, create_listings};
use super::views::ListingView;

/// Most creates in one transaction (16 columns each stays far below both backends' limits on
/// bound values).
pub const MAX_BATCH: usize = 64;

/// How long the writer waits for more creates after the queue ran dry.
pub const LINGER: Duration = Duration::from_millis(1);

/// Creates queued for the writer before callers wait for room.
const QUEUE: usize = 4 * MAX_BATCH;

struct Job {
    request: CreateRequest,
    reply: oneshot::Sender<ServiceResult<ListingView>>,
}

/// The handle callers write through; cloning it shares the one writer. The writer stops when
/// the last handle is dropped, after answering what was queued.
#[derive(Clone)]
pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// Spawns the writer over `db` (handing notices to the dispatcher `wake` reaches) with batches of at most `max_batch` and the given linger.
    #[must_use]
    pub fn start(db: DatabaseConnection, wake: Wake, max_batch: usize, linger: Duration) -> Self {
        let max_batch = max_batch.max(1);
        let (jobs, queue) = mpsc::channel(QUEUE.max(max_batch));
        tokio::spawn(write_batches(db, wake, queue, max_batch, linger));
        Self { jobs }
    }

    /// Creates the listing in the next batch; idempotent on (seller, request id) like
    /// [`super::create_listing`].
    ///
    /// # Errors
    /// `ALREADY_EXISTS` on a conflicting reuse of the request id; database errors;
    /// `UNAVAILABLE` when the writer has stopped (the service is shutting down).
    pub async fn create(&self, request: CreateRequest) -> ServiceResult<ListingView> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> ServiceError {
    ServiceError::unavailable("the listing writer has stopped; retry")
}

async fn write_batches(
    db: DatabaseConnection,
    wake: Wake,
    mut queue: mpsc::Receiver<Job>,
    max_batch: usize,
    linger: Duration,
) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        collect(&mut queue, &mut jobs, max_batch, linger).await;
        let (requests, replies): (Vec<_>, Vec<_>) =
            jobs.into_iter().map(|j| (j.request, j.reply)).unzip();
        let results = create_listings(&db, &wake, &requests).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that went away (deadline) still has its listing: a retry finds it.
            let _ = reply.send(result);
        }
    }
}

/// Adds to `jobs` what is queued, then what arrives within `linger`, up to `max_batch`.
async fn collect(
    queue: &mut mpsc::Receiver<Job>,
    jobs: &mut Vec<Job>,
    max_batch: usize,
    linger: Duration,
) {
    let until = Instant::now() + linger;
    while jobs.len() < max_batch {
        match queue.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => match tokio::time::timeout_at(until, queue.recv()).await {
                Ok(Some(job)) => jobs.push(job),
                Ok(None) | Err(_) => return,
            },
        }
    }
}
