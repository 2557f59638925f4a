//! Jurisdiction over gRPC: every RPC the access tables open to regulators, called by the DE
//! regulator on DE data and on FR data, checked against one declared row per RPC. An RPC open
//! to regulators that the table lacks fails the test (so does a row for an RPC that is not).
//!
//! Reads answer the ids of the trader and case data they expose, so a row can check that the
//! caller's own data is there and the other jurisdiction's is not.

use chrono::{Duration as TimeDelta, Utc};
use genuine_contracts::genuine::enforcement::v1 as enforcement;
use genuine_contracts::genuine::listing::v1 as listing;
use genuine_contracts::genuine::reputation::v1 as reputation;
use genuine_runtime::auth::{Allow, Role};
use genuine_suite_tests::authed;
use tonic::{Code, Status};

use crate::world::{Across, Side, World};
use genuine_suite_tests::contract;

/// Each RPC open to regulators and what the DE regulator gets for FR data. Writes are here too:
/// a regulator must not act on another jurisdiction's traders or cases either.
fn table() -> Vec<(&'static str, Across)> {
    use Across::{Filtered, Hidden, OwnFigures, Refused, Shared};
    const BRANDS: &str = "brands and their counterfeit images belong to no jurisdiction";
    const STANDING: &str = "the public part of a seller (score, tier), which any caller reads";
    const PUBLISHED: &str =
        "statements of reasons are published (DSA Art. 24(5)) and hold no personal data";
    const ONE_LOG: &str =
        "one audit log for all jurisdictions, so that any regulator can verify all of it";
    vec![
        ("GetBrand", Shared(BRANDS)),
        ("ListBrands", Shared(BRANDS)),
        ("AddCounterfeitImages", Shared(BRANDS)),
        ("GetListing", Hidden),
        ("ListListings", Filtered),
        ("GetSeller", Refused),
        ("ListSellers", Filtered),
        ("GetSellerStanding", Shared(STANDING)),
        ("BatchGetSellerStandings", Shared(STANDING)),
        ("RecordInspection", Refused),
        ("ListViolations", Refused),
        ("ListInspections", Refused),
        ("SubmitNotice", Refused),
        ("GetNotice", Refused),
        ("ListNotices", Filtered),
        ("GetCase", Refused),
        ("ListCases", Filtered),
        ("FileAppeal", Refused),
        ("GetStatementOfReasons", Shared(PUBLISHED)),
        ("ListStatementsOfReasons", Shared(PUBLISHED)),
        ("GetTransparencyReport", OwnFigures),
        ("GetAuditLogHead", Shared(ONE_LOG)),
        ("GetAuditProof", Shared(ONE_LOG)),
        ("VerifyAuditLog", Shared(ONE_LOG)),
    ]
}

/// The writes of the table.
const WRITES: [&str; 4] = [
    "AddCounterfeitImages",
    "RecordInspection",
    "SubmitNotice",
    "FileAppeal",
];

/// Codes that refuse the caller rather than the request.
fn refusal(code: Code) -> bool {
    matches!(
        code,
        Code::PermissionDenied | Code::NotFound | Code::Unauthenticated
    )
}

/// The RPCs whose access rule admits a regulator, by method name.
fn open_to_regulators() -> Vec<String> {
    contract::methods()
        .into_iter()
        .filter(|m| match m.service.access_policy().rule(&m.path) {
            Some(Allow::Public | Allow::AnyAuthenticated) => true,
            Some(Allow::Roles(roles)) => roles.contains(&Role::Regulator),
            None => false,
        })
        .map(|m| m.name().to_owned())
        .collect()
}

/// Calls `method` about `side`'s data as the holder of `token`; answers the ids of the trader
/// and case data in the reply (for the report: its jurisdiction and notice count).
#[allow(clippy::too_many_lines)] // one arm per RPC
async fn call(
    world: &World,
    method: &str,
    side: &Side,
    token: &str,
) -> Result<Vec<String>, Status> {
    let suite = &world.suite;
    let (mut l, mut r, mut e) = (
        suite.listing_client(),
        suite.reputation_client(),
        suite.enforcement_client(),
    );
    let seller = side.seller_id.clone();
    let week_ago = prost_types::Timestamp {
        seconds: (Utc::now() - TimeDelta::days(7)).timestamp(),
        nanos: 0,
    };
    let ids = match method {
        "GetBrand" => {
            let request = listing::GetBrandRequest {
                brand_id: world.brand_id.clone(),
            };
            let brand = l
                .get_brand(authed(request, token))
                .await?
                .into_inner()
                .brand;
            brand.map(|b| b.brand_id).into_iter().collect()
        }
        "ListBrands" => {
            let request = listing::ListBrandsRequest {
                page_size: 100,
                page_token: String::new(),
            };
            let reply = l.list_brands(authed(request, token)).await?.into_inner();
            reply.brands.into_iter().map(|b| b.brand_id).collect()
        }
        "AddCounterfeitImages" => {
            // No images: refused as bad input if at all, and never for the caller's jurisdiction.
            let request = listing::AddCounterfeitImagesRequest {
                brand_id: world.brand_id.clone(),
                ..Default::default()
            };
            match l.add_counterfeit_images(authed(request, token)).await {
                Err(status) if status.code() == Code::InvalidArgument => Vec::new(),
                other => {
                    other?;
                    Vec::new()
                }
            }
        }
        "GetListing" => {
            let request = listing::GetListingRequest {
                listing_id: side.listing_id.clone(),
            };
            let found = l.get_listing(authed(request, token)).await?.into_inner();
            found.listing.map(|x| x.listing_id).into_iter().collect()
        }
        "ListListings" => {
            let request = listing::ListListingsRequest {
                seller_id: seller,
                page_size: 100,
                ..Default::default()
            };
            let reply = l.list_listings(authed(request, token)).await?.into_inner();
            reply.listings.into_iter().map(|x| x.listing_id).collect()
        }
        "GetSeller" => {
            let request = reputation::GetSellerRequest { seller_id: seller };
            let found = r.get_seller(authed(request, token)).await?.into_inner();
            found.seller.map(|s| s.seller_id).into_iter().collect()
        }
        "ListSellers" => {
            let request = reputation::ListSellersRequest {
                page_size: 100,
                ..Default::default()
            };
            let reply = r.list_sellers(authed(request, token)).await?.into_inner();
            reply.sellers.into_iter().map(|s| s.seller_id).collect()
        }
        "GetSellerStanding" => {
            let request = reputation::GetSellerStandingRequest { seller_id: seller };
            let found = r.get_seller_standing(authed(request, token)).await?;
            found
                .into_inner()
                .standing
                .map(|s| s.seller_id)
                .into_iter()
                .collect()
        }
        "BatchGetSellerStandings" => {
            let request = reputation::BatchGetSellerStandingsRequest {
                seller_ids: vec![seller],
            };
            let reply = r.batch_get_seller_standings(authed(request, token)).await?;
            reply
                .into_inner()
                .standings
                .into_iter()
                .map(|s| s.seller_id)
                .collect()
        }
        "RecordInspection" => {
            let request = reputation::RecordInspectionRequest {
                request_id: format!(
                    "inspection-{}-{}",
                    side.jurisdiction,
                    Utc::now().timestamp_micros()
                ),
                seller_id: seller,
                agency: "Marktüberwachung".to_owned(),
                product: "Leather handbag".to_owned(),
                result: reputation::InspectionResult::Pass.into(),
                inspected_time: Some(week_ago),
                ..Default::default()
            };
            let reply = r
                .record_inspection(authed(request, token))
                .await?
                .into_inner();
            reply.inspection.map(|i| i.seller_id).into_iter().collect()
        }
        "ListViolations" => {
            let request = reputation::ListViolationsRequest {
                seller_id: seller,
                page_size: 100,
                page_token: String::new(),
            };
            let reply = r
                .list_violations(authed(request, token))
                .await?
                .into_inner();
            reply.violations.into_iter().map(|v| v.seller_id).collect()
        }
        "ListInspections" => {
            let request = reputation::ListInspectionsRequest {
                seller_id: seller,
                page_size: 100,
                page_token: String::new(),
            };
            let reply = r
                .list_inspections(authed(request, token))
                .await?
                .into_inner();
            reply.inspections.into_iter().map(|i| i.seller_id).collect()
        }
        "SubmitNotice" => {
            let request = enforcement::SubmitNoticeRequest {
                request_id: format!(
                    "notice-{}-{}",
                    side.jurisdiction,
                    Utc::now().timestamp_micros()
                ),
                source: enforcement::NoticeSource::Regulator.into(),
                notifier: Some(enforcement::Notifier {
                    notifier_id: world.de.regulator.clone(),
                    name: "Marktüberwachung".to_owned(),
                    email: "officer@market-surveillance.example".to_owned(),
                    organization: "Marktüberwachung".to_owned(),
                }),
                ground: enforcement::NoticeGround::UnsafeProduct.into(),
                listing_ids: vec![side.listing_id.clone()],
                explanation: "The product failed a safety inspection.".to_owned(),
                good_faith_declaration: true,
                jurisdiction: side.jurisdiction.to_owned(),
                ..Default::default()
            };
            let reply = e.submit_notice(authed(request, token)).await?.into_inner();
            reply.notice.map(|n| n.jurisdiction).into_iter().collect()
        }
        "GetNotice" => {
            let request = enforcement::GetNoticeRequest {
                notice_id: side.notice_id.clone(),
            };
            let found = e.get_notice(authed(request, token)).await?.into_inner();
            found.notice.map(|n| n.notice_id).into_iter().collect()
        }
        "ListNotices" => {
            let request = enforcement::ListNoticesRequest {
                page_size: 100,
                ..Default::default()
            };
            let reply = e.list_notices(authed(request, token)).await?.into_inner();
            reply.notices.into_iter().map(|n| n.notice_id).collect()
        }
        "GetCase" => {
            let request = enforcement::GetCaseRequest {
                case_id: side.case_id.clone(),
            };
            let found = e.get_case(authed(request, token)).await?.into_inner();
            found.r#case.map(|c| c.case_id).into_iter().collect()
        }
        "ListCases" => {
            // Asking for the side's jurisdiction and seller outright.
            let request = enforcement::ListCasesRequest {
                jurisdiction: side.jurisdiction.to_owned(),
                seller_id: seller,
                page_size: 100,
                ..Default::default()
            };
            let reply = e.list_cases(authed(request, token)).await?.into_inner();
            reply.cases.into_iter().map(|c| c.case_id).collect()
        }
        "FileAppeal" => {
            let request = enforcement::FileAppealRequest {
                request_id: format!("appeal-{}", side.jurisdiction),
                case_id: side.case_id.clone(),
                grounds: "The decision overlooked our inspection report.".to_owned(),
            };
            let reply = e.file_appeal(authed(request, token)).await?.into_inner();
            reply.appeal.map(|a| a.case_id).into_iter().collect()
        }
        "GetStatementOfReasons" => {
            let request = enforcement::GetStatementOfReasonsRequest {
                statement_of_reasons_id: side.statement_id.clone(),
            };
            let found = e.get_statement_of_reasons(authed(request, token)).await?;
            let statement = found.into_inner().statement_of_reasons;
            statement
                .map(|s| s.statement_of_reasons_id)
                .into_iter()
                .collect()
        }
        "ListStatementsOfReasons" => {
            let request = enforcement::ListStatementsOfReasonsRequest {
                page_size: 100,
                ..Default::default()
            };
            let reply = e.list_statements_of_reasons(authed(request, token)).await?;
            let statements = reply.into_inner().statements_of_reasons;
            statements
                .into_iter()
                .map(|s| s.statement_of_reasons_id)
                .collect()
        }
        "GetTransparencyReport" => {
            let request = enforcement::GetTransparencyReportRequest {
                start_time: Some(week_ago),
                end_time: Some(prost_types::Timestamp {
                    seconds: (Utc::now() + TimeDelta::days(1)).timestamp(),
                    nanos: 0,
                }),
                jurisdiction: side.jurisdiction.to_owned(),
            };
            let reply = e.get_transparency_report(authed(request, token)).await?;
            let report = reply.into_inner().report.unwrap_or_default();
            vec![
                report.jurisdiction,
                format!("notices:{}", report.notices_total),
            ]
        }
        "GetAuditLogHead" => {
            let reply = e
                .get_audit_log_head(authed(enforcement::GetAuditLogHeadRequest {}, token))
                .await?;
            reply
                .into_inner()
                .head
                .map(|h| h.tree_size.to_string())
                .into_iter()
                .collect()
        }
        "GetAuditProof" => {
            // The entry that opened the side's case.
            let entry_index = audit_index_of(world, &side.case_id).await;
            let request = enforcement::GetAuditProofRequest {
                entry_index,
                ..Default::default()
            };
            let reply = e
                .get_audit_proof(authed(request, token))
                .await?
                .into_inner();
            reply.entry.map(|x| x.subject_id).into_iter().collect()
        }
        "VerifyAuditLog" => {
            let reply = e
                .verify_audit_log(authed(enforcement::VerifyAuditLogRequest::default(), token))
                .await?
                .into_inner();
            vec![reply.ok.to_string()]
        }
        other => panic!("{other}: no call in this test; add an arm and a table row"),
    };
    Ok(ids)
}

/// The index of the first audit entry about `subject_id`, read as an admin.
async fn audit_index_of(world: &World, subject_id: &str) -> u64 {
    let admin = world.suite.token(Role::Admin, "admin");
    let mut client = world.suite.enforcement_client();
    let head = client
        .get_audit_log_head(authed(enforcement::GetAuditLogHeadRequest {}, &admin))
        .await
        .expect("head")
        .into_inner()
        .head
        .expect("head");
    for index in 0..head.tree_size {
        let request = enforcement::GetAuditProofRequest {
            entry_index: index,
            ..Default::default()
        };
        let proof = client
            .get_audit_proof(authed(request, &admin))
            .await
            .expect("proof")
            .into_inner();
        if proof.entry.is_some_and(|e| e.subject_id == subject_id) {
            return index;
        }
    }
    panic!("no audit entry about {subject_id}")
}

/// The id in `side` that a reply about it names, per RPC.
fn marker(method: &str, world: &World, side: &Side) -> String {
    match method {
        "GetBrand" | "ListBrands" => world.brand_id.clone(),
        "GetListing" | "ListListings" => side.listing_id.clone(),
        "GetNotice" | "ListNotices" => side.notice_id.clone(),
        "GetCase" | "ListCases" | "FileAppeal" | "GetAuditProof" => side.case_id.clone(),
        "GetStatementOfReasons" | "ListStatementsOfReasons" => side.statement_id.clone(),
        "SubmitNotice" => side.jurisdiction.to_owned(),
        "AddCounterfeitImages" | "GetAuditLogHead" | "VerifyAuditLog" | "GetTransparencyReport" => {
            String::new()
        }
        _ => side.seller_id.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_reads_and_acts_on_its_own_jurisdiction_only() {
    let table = table();
    let open = open_to_regulators();
    let mut failures: Vec<String> = open
        .iter()
        .filter(|m| !table.iter().any(|(name, _)| name == m))
        .map(|m| format!("{m}: open to regulators but missing from the jurisdiction table"))
        .collect();
    failures.extend(
        table
            .iter()
            .filter(|(name, _)| !open.iter().any(|m| m == name))
            .map(|(name, _)| format!("{name}: in the table but not open to regulators")),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let world = World::start().await;
    let (de, fr) = (&world.de, &world.fr);
    let token = world.regulator_token(de);
    let holds = |ids: &[String], id: &str| id.is_empty() || ids.iter().any(|x| x == id);
    for (method, across) in &table {
        let own = call(&world, method, de, &token).await;
        let other = call(&world, method, fr, &token).await;
        let (de_id, fr_id) = (marker(method, &world, de), marker(method, &world, fr));
        // On its own data a regulator reads it, and a write is never refused (it may still be
        // bad in its state, e.g. an appeal against a decision in the notifier's favour).
        let own_ok = match &own {
            Ok(ids) => holds(ids, &de_id),
            Err(status) => WRITES.contains(method) && !refusal(status.code()),
        };
        let across_ok = match (across, &own, &other) {
            (Across::Refused, _, Err(status)) => status.code() == Code::PermissionDenied,
            (Across::Hidden, _, Err(status)) => status.code() == Code::NotFound,
            (Across::Filtered, Ok(own), Ok(other)) => {
                !own.contains(&fr_id) && !other.contains(&fr_id)
            }
            (Across::Shared(_), _, Ok(other)) => holds(other, &fr_id),
            (Across::OwnFigures, Ok(own), Err(status)) => {
                own.first().is_some_and(|j| j == "DE") && status.code() == Code::PermissionDenied
            }
            _ => false,
        };
        if !(own_ok && across_ok) {
            failures.push(format!(
                "{method} ({across:?}): DE data {own:?}; FR data {other:?}"
            ));
        }
    }
    println!(
        "jurisdiction matrix: {} RPCs open to regulators, each on DE and FR data",
        table.len()
    );
    for (method, across) in &table {
        if let Across::Shared(why) = across {
            println!("  {method} is not scoped by jurisdiction: {why}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
