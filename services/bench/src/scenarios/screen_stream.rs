//! `screen-stream`: ScreenListings, the listing service's bidi stream for bulk screening, over
//! one stream and then over `--streams` streams at once (each on its own HTTP/2 connection),
//! against the generated catalogue and a real seller-reputation. The figure is listings
//! screened per second: every screening result received in the measured window counts once;
//! a result carrying an error instead, or a failed stream, counts as an error.
//!
//! Drafts are text only (title, description, price; no image), so what is measured is the
//! stream and text screening, not the PDQ look-up that create-listing also makes. Each stream
//! keeps at most [`IN_FLIGHT`] drafts unanswered, so latency here is mostly queueing (Little:
//! in flight / rate); the throughput is the figure.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use genuine_contracts::genuine::listing::v1 as pb;
use pb::listing_service_client::ListingServiceClient;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

use super::create_listing::screening_suite;
use super::{authed, status_label};
use crate::args::{BenchArgs, Scenario};
use crate::compare::Outcome;
use crate::load::Measurement;
use crate::report;
use crate::seed;
use crate::suite::Service;

/// Drafts a stream sends ahead of the results it has received.
pub const IN_FLIGHT: usize = 1_024;

/// Distinct drafts cycled through (generating each anew would load the client, which shares
/// the two cores with the service).
const DRAFTS: usize = 1_000;

/// The measured window of a round.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: Instant,
    until: Instant,
}

/// Prepares the services, runs one stream and `--streams` streams alternately for `--rounds`
/// rounds, and tabulates listings per second.
///
/// # Errors
/// Services or seeding that fail.
pub async fn run(args: &BenchArgs) -> anyhow::Result<Outcome> {
    eprintln!("bench: preparing {}…", Scenario::ScreenStream.name());
    let (suite, token) = screening_suite(args).await?;
    let streams = args.streams.max(1);
    let channels = suite.channels(Service::Listing, streams);
    let drafts: Arc<Vec<pb::ListingDraft>> = Arc::new(
        (0..DRAFTS as u64)
            .map(|n| text_draft(seed::draft(args.seed, n, args.brands, args.sellers)))
            .collect(),
    );
    let mut sizes = vec![1];
    if streams > 1 {
        sizes.push(streams);
    }
    let mut runs: Vec<(usize, Vec<Measurement>)> = sizes.iter().map(|n| (*n, vec![])).collect();
    for round in 1..=args.rounds.max(1) {
        for (n, rounds) in &mut runs {
            eprintln!("bench: screen-stream, {n} stream(s), round {round}…");
            let start = Instant::now() + args.warmup;
            let window = Window {
                from: start,
                until: start + args.duration,
            };
            let mut measured = Measurement::new(args.duration);
            let mut tasks = JoinSet::new();
            for channel in &channels[..*n] {
                tasks.spawn(one_stream(
                    channel.clone(),
                    token.clone(),
                    Arc::clone(&drafts),
                    window,
                ));
            }
            while let Some(stream) = tasks.join_next().await {
                measured.merge(&stream?);
            }
            rounds.push(measured);
        }
    }
    let mut text = format!(
        "\n## {} · {} · {} brands, {} hashes, {} sellers; text drafts · each stream on its own \
         HTTP/2 connection, ≤ {IN_FLIGHT} drafts in flight per stream, {:?} after {:?} warm-up\n\n{}\n",
        Scenario::ScreenStream.name(),
        suite.backend().name(),
        args.brands,
        args.hashes,
        args.sellers,
        args.duration,
        args.warmup,
        report::header().replacen("ok/s", "listings/s", 1),
    );
    for (n, rounds) in &runs {
        for (i, m) in rounds.iter().enumerate() {
            text.push_str(&report::row(&format!("{n} stream(s), round {}", i + 1), m));
            text.push('\n');
        }
    }
    text.push('\n');
    for (n, rounds) in &runs {
        let rates: Vec<f64> = rounds.iter().map(Measurement::throughput).collect();
        text.push_str(&format!(
            "median over {} round(s), {n} stream(s): {:.0} listings/s\n",
            rounds.len(),
            report::median(&rates)
        ));
    }
    let measurements = runs.into_iter().flat_map(|(_, rounds)| rounds).collect();
    drop(suite);
    Ok(Outcome::new(
        vec![(Scenario::ScreenStream, measurements)],
        text,
    ))
}

/// The text of a CreateListing draft as a ScreenListings draft, without its image.
fn text_draft(request: pb::CreateListingRequest) -> pb::ListingDraft {
    pb::ListingDraft {
        seller_id: request.seller_id,
        title: request.title,
        description: request.description,
        category: request.category,
        price: request.price,
        images: Vec::new(),
    }
}

/// One ScreenListings stream from the start of the warm-up to the end of `window`: what it
/// received in the window.
async fn one_stream(
    channel: Channel,
    token: String,
    drafts: Arc<Vec<pb::ListingDraft>>,
    window: Window,
) -> Measurement {
    let mut measured = Measurement::new(window.until - window.from);
    let (sender, receiver) = tokio::sync::mpsc::channel(IN_FLIGHT);
    let credit = Arc::new(Semaphore::new(IN_FLIGHT));
    // Send times in order: the service answers a stream's drafts in the order sent.
    let sent: Arc<Mutex<VecDeque<(u64, Instant)>>> = Arc::default();
    let producer = {
        let (credit, sent) = (Arc::clone(&credit), Arc::clone(&sent));
        tokio::spawn(async move {
            for n in 0_u64.. {
                let Ok(permit) = credit.acquire().await else {
                    break;
                };
                permit.forget();
                let now = Instant::now();
                if now >= window.until {
                    break;
                }
                sent.lock().expect("send times").push_back((n, now));
                let request = pb::ScreenListingsRequest {
                    r#ref: n.to_string(),
                    draft: Some(drafts[n as usize % drafts.len()].clone()),
                };
                if sender.send(request).await.is_err() {
                    break;
                }
            }
        })
    };
    let mut client = ListingServiceClient::new(channel);
    let call = client
        .screen_listings(authed(ReceiverStream::new(receiver), &token))
        .await;
    let mut results = match call {
        Ok(response) => response.into_inner(),
        Err(status) => {
            measured.record(Err(status_label(&status)), std::time::Duration::ZERO);
            producer.abort();
            return measured;
        }
    };
    loop {
        let result = results.message().await;
        let now = Instant::now();
        let counted = now >= window.from && now < window.until;
        match result {
            Ok(Some(response)) => {
                credit.add_permits(1);
                let front = sent.lock().expect("send times").pop_front();
                if !counted {
                    continue;
                }
                let outcome = match front {
                    Some((n, _)) if response.r#ref != n.to_string() => {
                        Err("result out of order".to_owned())
                    }
                    Some(_) if response.screening.is_some() && response.error.is_empty() => Ok(()),
                    _ => Err(format!("screening error: {}", response.error)),
                };
                let at = front.map_or(now, |(_, at)| at);
                measured.record(outcome, now - at);
            }
            Ok(None) => break,
            Err(status) => {
                measured.record(Err(status_label(&status)), std::time::Duration::ZERO);
                break;
            }
        }
    }
    producer.abort();
    measured
}
