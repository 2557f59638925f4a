//! Clients that call continuously, and a health watcher, each recording what happened when.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::Role;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::process::Listing;
use crate::support::grpc::{authed, eur};

/// Most calls one client makes: the loop is bounded even if stopping failed.
const MAX_CALLS: usize = 200;

/// One CreateListing: when it started and ended, and the listing id and status or the code.
#[derive(Debug, Clone)]
pub struct Call {
    pub started: Instant,
    pub ended: Instant,
    pub outcome: Result<(String, i32), tonic::Code>,
}

/// Clients creating listings in a loop, each on its own connection.
pub struct Load {
    stop: Arc<AtomicBool>,
    clients: Vec<JoinHandle<Vec<Call>>>,
}

impl Load {
    /// `clients` sellers creating listings, started a little apart so their calls overlap
    /// rather than run in step. Every other title names the registered brand at a tenth of
    /// its price, which screening holds or blocks.
    pub fn start(listing: &Listing, clients: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let clients = (0..clients)
            .map(|i| {
                let seller = format!("seller-{i}");
                let token = listing.token(Role::Seller, &seller);
                let channel = Channel::from_shared(listing.url())
                    .expect("url")
                    .connect_lazy();
                let stop = stop.clone();
                tokio::spawn(async move {
                    let stagger = Duration::from_millis(300) * u32::try_from(i).unwrap_or(0);
                    tokio::time::sleep(stagger).await;
                    let mut client = pb::listing_service_client::ListingServiceClient::new(channel);
                    let mut calls = Vec::new();
                    for n in 0..MAX_CALLS {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let title = if n % 2 == 0 {
                            "Luxe Paris leather handbag"
                        } else {
                            "Plain leather handbag"
                        };
                        let request = pb::CreateListingRequest {
                            request_id: format!("{seller}-{n}"),
                            seller_id: seller.clone(),
                            title: title.to_owned(),
                            description: "A handbag in good condition.".to_owned(),
                            category: "handbags".to_owned(),
                            price: Some(eur(100)),
                            images: Vec::new(),
                        };
                        let started = Instant::now();
                        let outcome = client
                            .create_listing(authed(request, &token))
                            .await
                            .map(|r| {
                                let l = r.into_inner().listing.unwrap_or_default();
                                (l.listing_id, l.status)
                            })
                            .map_err(|status| status.code());
                        let failed = outcome.is_err();
                        calls.push(Call {
                            started,
                            ended: Instant::now(),
                            outcome,
                        });
                        if failed {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                    calls
                })
            })
            .collect();
        Self { stop, clients }
    }

    /// Stops the clients; every call they made, in start order.
    pub async fn stop(self) -> Vec<Call> {
        self.stop.store(true, Ordering::SeqCst);
        let mut calls = Vec::new();
        for client in self.clients {
            calls.extend(client.await.expect("client task"));
        }
        calls.sort_by_key(|c| c.started);
        calls
    }
}

/// Polls health every 20 ms on a connection of its own.
pub struct HealthWatch {
    stop: Arc<AtomicBool>,
    task: JoinHandle<Option<Instant>>,
}

/// Watches `url`'s health until stopped; remembers when it first answered NOT_SERVING.
pub fn watch_health(url: String) -> HealthWatch {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let channel = Channel::from_shared(url).expect("url").connect_lazy();
        let mut health = HealthClient::new(channel);
        while !flag.load(Ordering::SeqCst) {
            let status = health
                .check(HealthCheckRequest::default())
                .await
                .map(|r| r.into_inner().status());
            if matches!(status, Ok(ServingStatus::NotServing)) {
                return Some(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    });
    HealthWatch { stop, task }
}

impl HealthWatch {
    /// When health first answered NOT_SERVING, if it did.
    pub async fn stop(self) -> Option<Instant> {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.expect("health task")
    }
}
