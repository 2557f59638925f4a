//! The suite the hostile calls go to, with a little real data in it (a verified seller, a brand,
//! a listing, a notice and its case) so that plausible requests reach past "not found" into the
//! handlers, and the token each RPC is called with.

use genuine_runtime::auth::{Allow, Role};
use genuine_runtime::clock;
use genuine_suite_tests::contract::Method;
use genuine_suite_tests::{Suite, story};

use crate::messages::Pools;

/// Subjects of the data the suite holds.
pub const SELLER: &str = "hostile-seller";
pub const OWNER: &str = "hostile-owner";

/// A started suite and the ids that exist in it.
pub struct World {
    pub suite: Suite,
    pub pools: Pools,
}

impl World {
    pub async fn start() -> Self {
        crate::panics::watch();
        let suite = Suite::start(clock::system(), Vec::new())
            .await
            .expect("suite starts");
        story::register_verified_seller(&suite, SELLER, "DE").await;
        let brand_id = story::register_brand(&suite, OWNER, "Hostile Luxe", &["hluxe"], 900).await;
        let listing = story::create_listing(&suite, SELLER, "Leather handbag", 300).await;
        let notice =
            story::rights_holder_notice(&suite, OWNER, &[&listing.listing_id], "hostile-n1").await;
        let mut pools = Pools::default();
        pools.ids.insert("seller_id", vec![SELLER.to_owned()]);
        pools.ids.insert("owner_id", vec![OWNER.to_owned()]);
        pools.ids.insert("brand_id", vec![brand_id]);
        pools.ids.insert("listing_id", vec![listing.listing_id]);
        pools.ids.insert("notice_id", vec![notice.notice_id]);
        pools.ids.insert("case_id", notice.case_ids);
        Self { suite, pools }
    }

    /// A token the access table lets call `method`: an admin's where admins may, else the
    /// first role allowed (a regulator with a jurisdiction, a seller or owner of the data).
    pub fn token_for(&self, method: &Method) -> String {
        let role = match method.service.access_policy().rule(&method.path) {
            Some(Allow::Roles(roles)) if !roles.contains(&Role::Admin) => roles[0],
            _ => Role::Admin,
        };
        match role {
            Role::Regulator => self.suite.regulator_token("hostile-regulator", "DE"),
            Role::Seller => self.suite.token(role, SELLER),
            Role::RightsHolder => self.suite.token(role, OWNER),
            _ => self.suite.token(role, "hostile-admin"),
        }
    }
}
