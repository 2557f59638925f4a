//! Data in two jurisdictions for the authorization tests, made through the public APIs by the
//! parties that would make it: in DE and in FR each, a verified seller with a listing, a notice
//! its regulator filed through the gateway, the case it opened (upheld: a statement of reasons
//! and a violation on the seller's record) and an inspection the regulator recorded; and one
//! brand, which belongs to no jurisdiction.

use chrono::{Duration as TimeDelta, SecondsFormat, Utc};
use genuine_contracts::genuine::enforcement::v1::CaseOutcome;
use genuine_runtime::clock;
use genuine_suite_tests::gateway::Gateway;
use genuine_suite_tests::story::{
    EFFECT_TIMEOUT, create_listing, decide, get_case, register_brand, register_verified_seller,
    violations,
};
use genuine_suite_tests::{Suite, eventually};
use serde_json::json;

/// What one jurisdiction holds.
#[derive(Debug, Clone)]
pub struct Side {
    pub jurisdiction: &'static str,
    /// The subject of its regulator.
    pub regulator: String,
    pub seller_id: String,
    pub listing_id: String,
    pub notice_id: String,
    pub case_id: String,
    pub statement_id: String,
}

/// The suite, its gateway and the data of DE and FR.
pub struct World {
    pub suite: Suite,
    pub gateway: Gateway,
    pub brand_id: String,
    pub de: Side,
    pub fr: Side,
}

impl World {
    pub async fn start() -> Self {
        let suite = Suite::start(clock::system(), Vec::new())
            .await
            .expect("suite starts");
        let gateway = Gateway::start(&suite).await;
        let brand_id = register_brand(&suite, "brand-owner", "Luxe Paris", &[], 900).await;
        let de = seed(&suite, &gateway, "DE").await;
        let fr = seed(&suite, &gateway, "FR").await;
        Self {
            suite,
            gateway,
            brand_id,
            de,
            fr,
        }
    }

    /// The gRPC token of `side`'s regulator.
    pub fn regulator_token(&self, side: &Side) -> String {
        self.suite
            .regulator_token(&side.regulator, side.jurisdiction)
    }

    /// The portal token (every gateway scope) of `side`'s regulator.
    pub fn portal_token(&self, side: &Side) -> String {
        self.suite.portal_token(&side.regulator, side.jurisdiction)
    }
}

async fn seed(suite: &Suite, gateway: &Gateway, jurisdiction: &'static str) -> Side {
    let lower = jurisdiction.to_ascii_lowercase();
    let seller_id = format!("seller-{lower}");
    register_verified_seller(suite, &seller_id, jurisdiction).await;
    let listing = create_listing(
        suite,
        &seller_id,
        &format!("Leather handbag {jurisdiction}"),
        120,
    )
    .await;
    let regulator = format!("reg-{lower}");
    let token = suite.portal_token(&regulator, jurisdiction);
    let notice = gateway
        .post(
            "/v1/notices",
            &token,
            &json!({
                "ground": "NOTICE_GROUND_UNSAFE_PRODUCT",
                "listingIds": [listing.listing_id],
                "explanation": "Laboratory tests found lead in the handbag's coating.",
                "goodFaithDeclaration": true
            }),
        )
        .await
        .ok();
    let notice_id = text(&notice["noticeId"]);
    let case_id = text(&notice["caseIds"][0]);
    decide(suite, "reviewer-1", &case_id, CaseOutcome::Uphold).await;
    let statement_id = get_case(suite, &case_id)
        .await
        .statement_of_reasons_ids
        .first()
        .cloned()
        .expect("an upheld case has a statement of reasons");
    eventually(
        &format!("{seller_id}'s violation reaches reputation"),
        EFFECT_TIMEOUT,
        || async { (!violations(suite, &seller_id).await.is_empty()).then_some(()) },
    )
    .await;
    let inspected = (Utc::now() - TimeDelta::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    gateway
        .post(
            &format!("/v1/sellers/{seller_id}/inspections"),
            &token,
            &json!({
                "product": "Leather handbag",
                "result": "INSPECTION_RESULT_FAIL",
                "inspectedTime": inspected
            }),
        )
        .await
        .ok();
    Side {
        jurisdiction,
        regulator,
        seller_id,
        listing_id: listing.listing_id,
        notice_id,
        case_id,
        statement_id,
    }
}

fn text(value: &serde_json::Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

/// What the DE regulator gets for FR data.
#[derive(Debug, Clone, Copy)]
pub enum Across {
    /// 404: whether it exists is none of the caller's business.
    Hidden,
    /// 403.
    Refused,
    /// A list that holds the caller's data and leaves the other jurisdiction's out.
    Filtered,
    /// Figures of the caller's jurisdiction only.
    OwnFigures,
    /// Not scoped by jurisdiction, and why: answered alike for both.
    Shared(&'static str),
}
