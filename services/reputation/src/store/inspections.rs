//! Recording quality inspections (idempotent on the request id) and listing them.

use chrono::{DateTime, Utc};
use genuine_runtime::clock::to_millis;
use genuine_runtime::errors::{ServiceError, ServiceResult};
use genuine_runtime::storage::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use super::conflict::{TxError, once_more_on_conflict};
use super::entities::inspection;
use super::page::{Page, PageRequest, encode};
use super::records::record;
use super::sellers::find;
use super::violations::next_token;
use super::{Actor, Store};
use crate::domain::{Code, InspectionResult, Standing, standing};

/// A RecordInspection request, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    pub request_id: String,
    pub seller_id: String,
    pub agency: String,
    pub product: String,
    pub batch: String,
    pub result: InspectionResult,
    pub inspected_at: DateTime<Utc>,
    pub report_ref: String,
}

fn same_request(row: &inspection::Model, new: &NewInspection) -> bool {
    row.seller_id == new.seller_id
        && row.agency == new.agency
        && row.product == new.product
        && row.batch == new.batch
        && row.result == new.result.code()
        && row.inspected_at == to_millis(new.inspected_at)
        && row.report_ref == new.report_ref
}

impl Store {
    /// Records an inspection; a replay of the same request id answers the first one.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller; ALREADY_EXISTS when the request id was used with other
    /// content.
    pub async fn record_inspection(
        &self,
        new: NewInspection,
        actor: &Actor,
    ) -> ServiceResult<(inspection::Model, Standing)> {
        once_more_on_conflict(|| self.try_record_inspection(&new, actor)).await
    }

    async fn try_record_inspection(
        &self,
        new: &NewInspection,
        actor: &Actor,
    ) -> Result<(inspection::Model, Standing), TxError> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let seller = find(&txn, &new.seller_id, true).await?;
        let existing = inspection::Entity::find()
            .filter(inspection::Column::RequestId.eq(new.request_id.as_str()))
            .one(&txn)
            .await?;
        let row = match existing {
            Some(row) if same_request(&row, new) => row,
            Some(row) => {
                return Err(ServiceError::already_exists(format!(
                    "request_id {:?} was already used to record inspection {:?} with different data; use a new request_id",
                    new.request_id, row.inspection_id
                ))
                .into());
            }
            None => {
                inspection::ActiveModel {
                    inspection_id: Set(format!("insp-{}", uuid::Uuid::now_v7().simple())),
                    request_id: Set(new.request_id.clone()),
                    seller_id: Set(new.seller_id.clone()),
                    agency: Set(new.agency.clone()),
                    product: Set(new.product.clone()),
                    batch: Set(new.batch.clone()),
                    result: Set(new.result.code().to_owned()),
                    inspected_at: Set(to_millis(new.inspected_at)),
                    report_ref: Set(new.report_ref.clone()),
                    recorded_at: Set(to_millis(now)),
                    recorded_by_subject: Set(actor.subject.clone()),
                    recorded_by_role: Set(actor.role.clone()),
                }
                .insert(&txn)
                .await?
            }
        };
        let standing = standing(&record(&txn, &seller, now).await?, &self.rules, now);
        txn.commit().await?;
        Ok((row, standing))
    }

    /// A seller's inspections, newest first.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown seller.
    pub async fn list_inspections(
        &self,
        seller_id: &str,
        page: &PageRequest,
    ) -> ServiceResult<Page<inspection::Model>> {
        find(&self.db, seller_id, false).await?;
        let mut condition = Condition::all().add(inspection::Column::SellerId.eq(seller_id));
        if let Some((time, id)) = &page.after {
            condition = condition.add(
                Condition::any()
                    .add(inspection::Column::InspectedAt.lt(*time))
                    .add(
                        Condition::all()
                            .add(inspection::Column::InspectedAt.eq(*time))
                            .add(inspection::Column::InspectionId.lt(id.as_str())),
                    ),
            );
        }
        let mut items = inspection::Entity::find()
            .filter(condition)
            .order_by_desc(inspection::Column::InspectedAt)
            .order_by_desc(inspection::Column::InspectionId)
            .limit(page.size + 1)
            .all(&self.db)
            .await?;
        let next_page_token = next_token(&mut items, page.size, |i| {
            encode(i.inspected_at, &i.inspection_id)
        });
        Ok(Page {
            items,
            next_page_token,
        })
    }
}
