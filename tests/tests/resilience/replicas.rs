//! Two replicas of every service on the same databases (issue 9, faults): calls alternate
//! between the instances, both outbox dispatchers of a service claim from one table, and still
//! every message and every deadline is processed once and every effect is applied once.

use genuine_contracts::genuine::enforcement::v1::{
    CaseOutcome, CaseStatus, SubmitCounterNoticeRequest,
};
use genuine_contracts::genuine::listing::v1::ListingStatus;
use genuine_runtime::auth::Role;
use genuine_runtime::clock;
use genuine_suite_tests::story::*;
use genuine_suite_tests::{Service, Suite, authed, eventually};

use crate::db;

fn settings() -> Vec<(String, String)> {
    [
        // Deadlines short enough to fire within the test.
        ("GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW", "3s"),
        ("GENUINE_REPUTATION_SUSPENSION_PERIOD", "6s"),
        // Time enough on a loaded machine for the standing look-up of every new listing.
        ("GENUINE_LISTING_STANDING_DEADLINE", "2s"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec()
}

#[tokio::test]
async fn two_replicas_of_each_service_process_every_message_and_deadline_once() {
    let _turn = crate::CPU_HEAVY.lock().await;
    let mut suite = Suite::start(clock::system(), settings())
        .await
        .expect("suite");
    suite.start_replicas().await.expect("second replicas");
    register_brand(&suite, "rh-luxe", "Luxe Paris", &[], 1000).await;

    // A repeat infringer: three upheld notices suspend the seller; when the (short) period
    // ends, its innocent listings come back.
    register_verified_seller(&suite, "seller-r", "DE").await;
    let mut listings = Vec::new();
    for n in 1..=5 {
        let title = format!("Leather handbag model {n}");
        let listing = create_listing(&suite, "seller-r", &title, 900).await;
        assert_eq!(listing.status, ListingStatus::Active as i32, "{listing:?}");
        listings.push(listing.listing_id);
    }
    let (infringing, innocent) = listings.split_at(3);
    for (n, listing_id) in infringing.iter().enumerate() {
        let notice = rights_holder_notice(&suite, "rh-luxe", &[listing_id], &format!("r{n}")).await;
        decide(
            &suite,
            "reviewer-1",
            &notice.case_ids[0],
            CaseOutcome::Uphold,
        )
        .await;
        wait_listing_status(&suite, listing_id, ListingStatus::TakenDown).await;
    }
    wait_strikes(&suite, "seller-r", 3).await;

    // A counter-notice whose window runs out: the measures end.
    register_verified_seller(&suite, "seller-c", "DE").await;
    let contested = create_listing(&suite, "seller-c", "Leather handbag, tan", 900).await;
    let notice = rights_holder_notice(&suite, "rh-luxe", &[&contested.listing_id], "c0").await;
    let case_id = notice.case_ids[0].clone();
    decide(&suite, "reviewer-2", &case_id, CaseOutcome::Uphold).await;
    wait_listing_status(&suite, &contested.listing_id, ListingStatus::TakenDown).await;
    wait_strikes(&suite, "seller-c", 1).await;
    suite
        .enforcement_client()
        .submit_counter_notice(authed(
            SubmitCounterNoticeRequest {
                case_id: case_id.clone(),
                declaration: "The bag is genuine; invoice attached.".to_owned(),
                evidence_urls: vec!["https://seller.example/invoice.pdf".to_owned()],
            },
            &suite.token(Role::Seller, "seller-c"),
        ))
        .await
        .expect("counter-notice");

    // The deadlines fire (on whichever replica claims them) and their effects arrive.
    wait_case_status(&suite, &case_id, CaseStatus::MeasuresLifted).await;
    wait_listing_status(&suite, &contested.listing_id, ListingStatus::Active).await;
    wait_strikes(&suite, "seller-c", 0).await;
    eventually("the suspension ends", EFFECT_TIMEOUT, || async {
        let s = standing(&suite, "seller-r").await;
        (!s.suspended).then_some(())
    })
    .await;
    for listing_id in innocent {
        wait_listing_status(&suite, listing_id, ListingStatus::Active).await;
    }
    for listing_id in infringing {
        assert_eq!(
            get_listing(&suite, listing_id).await.status,
            ListingStatus::TakenDown as i32
        );
    }
    for service in Service::ALL {
        all_delivered_once(&suite, service).await;
    }

    // Effects exactly once, counted in the receivers' tables.
    let reputation = &suite.database(Service::Reputation).db;
    let listing = &suite.database(Service::Listing).db;
    let counts = [
        (reputation, "violations WHERE seller_id = 'seller-r'", 3),
        (reputation, "violations WHERE seller_id = 'seller-c'", 1),
        (
            reputation,
            "violations WHERE seller_id = 'seller-c' AND state = 'retracted'",
            1,
        ),
        (reputation, "suspensions WHERE seller_id = 'seller-r'", 1),
        (
            reputation,
            "suspensions WHERE seller_id = 'seller-r' AND ended_at IS NOT NULL",
            1,
        ),
        (
            listing,
            "seller_suspensions WHERE seller_id = 'seller-r' AND lifted_at IS NOT NULL",
            1,
        ),
        (
            listing,
            "seller_suspensions WHERE seller_id = 'seller-r'",
            1,
        ),
    ];
    for (db, from_where, expected) in counts {
        assert_eq!(db::count(db, from_where).await, expected, "{from_where}");
    }
    for listing_id in infringing.iter().chain([&contested.listing_id]) {
        let takedowns = format!(
            "listing_measures WHERE listing_id = '{listing_id}' AND kind = 'case_takedown'"
        );
        assert_eq!(db::count(listing, &takedowns).await, 1, "{takedowns}");
    }
    for listing_id in innocent {
        let suspensions = format!(
            "listing_measures WHERE listing_id = '{listing_id}' AND kind = 'seller_suspension'"
        );
        assert_eq!(db::count(listing, &suspensions).await, 1, "{suspensions}");
    }
}

/// Every message and deadline due by now in `service`'s outbox was delivered, by one replica,
/// on the first claim: a row claimed by both would show two attempts (each claim counts one).
/// Deadlines still in the future (e.g. appeal windows) are left alone.
async fn all_delivered_once(suite: &Suite, service: Service) {
    let db = &suite.database(service).db;
    let due = eventually(
        &format!("{} outbox drained", service.name()),
        EFFECT_TIMEOUT,
        || async {
            let now = db::now_millis();
            let due: Vec<_> = db::all_outbox(db)
                .await
                .into_iter()
                .filter(|row| row.due_at <= now)
                .collect();
            due.iter()
                .all(|row| row.status == db::DELIVERED || row.status == db::CANCELLED)
                .then_some(due)
        },
    )
    .await;
    for row in due.iter().filter(|row| row.status == db::DELIVERED) {
        assert_eq!(row.attempts, 1, "delivered once: {row:?}");
    }
    let kinds: std::collections::BTreeSet<&str> = due.iter().map(|r| r.kind.as_str()).collect();
    println!(
        "{}: {} due outbox rows, each delivered once: {kinds:?}",
        service.name(),
        due.len()
    );
}
