//! Buyer information (DSA Art. 32): when a case is upheld on an illegality ground, an entry naming
//! the listing, the trader, the illegality and the means of redress, for the order system to
//! inform buyers of the look-back period.

use genuine_runtime::errors::{ServiceError, ServiceResult};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::{Deserialize, Serialize};

use super::cases::find;
use super::entities::buyer_notification;
use super::page::{Page, PageRequest};
use super::write::begin_logged;
use super::{Actor, Store, audit, new_id};

/// The trader's identity as buyers must be told it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trader {
    pub seller_id: String,
    pub name: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

/// What buyers are told they can do.
const MEANS_OF_REDRESS: &str = "You may return the product for a full refund through your order page, \
     complain to the platform, or contact your national consumer protection authority or the European Consumer Centre.";

impl Store {
    /// Records buyer information for an upheld case; a repeat for the same case is a no-op.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown case; the database error.
    pub async fn record_buyer_notification(
        &self,
        case_id: &str,
        trader: &Trader,
    ) -> ServiceResult<()> {
        let now = self.now();
        let txn = begin_logged(self.db()).await?;
        let exists = buyer_notification::Entity::find()
            .filter(buyer_notification::Column::CaseId.eq(case_id))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            return Ok(());
        }
        let case = find(&txn, case_id).await?;
        let decided = case.decided_at.unwrap_or_else(|| now.timestamp_millis());
        let trader_json = serde_json::to_string(trader).map_err(ServiceError::internal)?;
        let row = buyer_notification::ActiveModel {
            buyer_notification_id: Set(new_id()),
            case_id: Set(case_id.to_owned()),
            listing_id: Set(case.listing_id.clone()),
            seller_id: Set(case.seller_id.clone()),
            trader: Set(trader_json),
            ground: Set(case.ground.clone()),
            illegality: Set(format!(
                "The product offered in listing {} was found illegal ({}).",
                case.listing_id,
                case.ground.to_lowercase().replace('_', " ")
            )),
            means_of_redress: Set(MEANS_OF_REDRESS.to_owned()),
            purchases_since: Set(decided - self.rules().buyer_lookback.num_milliseconds()),
            created_at: Set(now.timestamp_millis()),
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            self.signer(),
            &Actor::service(genuine_runtime::auth::ServiceName::Enforcement),
            now,
            "buyer_notification.recorded",
            case_id,
            &row,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Buyer information created at or after `since`, oldest first.
    ///
    /// # Errors
    /// A bad page token; the database error.
    pub async fn buyer_notifications(
        &self,
        since: i64,
        page: &PageRequest,
    ) -> ServiceResult<Page<buyer_notification::Model>> {
        page.check()?;
        let mut query = buyer_notification::Entity::find()
            .filter(buyer_notification::Column::CreatedAt.gte(since));
        if let Some(key) = page.key(2)? {
            let at: i64 = key[0]
                .parse()
                .map_err(|_| ServiceError::invalid_field("page_token", "is malformed"))?;
            query =
                query.filter(
                    Condition::any()
                        .add(buyer_notification::Column::CreatedAt.gt(at))
                        .add(buyer_notification::Column::CreatedAt.eq(at).and(
                            buyer_notification::Column::BuyerNotificationId.gt(key[1].clone()),
                        )),
                );
        }
        let rows = query
            .order_by_asc(buyer_notification::Column::CreatedAt)
            .order_by_asc(buyer_notification::Column::BuyerNotificationId)
            .limit(page.limit() + 1)
            .all(self.db())
            .await?;
        Ok(Page::from_rows(rows, page.limit(), |b| {
            vec![b.created_at.to_string(), b.buyer_notification_id.clone()]
        }))
    }
}
