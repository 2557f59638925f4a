//! Screening of drafts: the shared step of create, update and the two screening RPCs.

use futures::{StreamExt, future};
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use tokio_stream::wrappers::ReceiverStream;

use super::validate::{DraftFields, draft_or_fail};
use super::{ListingApi, convert};
use crate::clients::reputation::StandingAnswer;
use crate::screening::Draft;
use crate::store::{ListingContent, Screened};

/// Responses buffered per ScreenListings stream before the client reads them.
const STREAM_BUFFER: usize = 32;

/// Drafts of one ScreenListings stream screened at once: enough for the standing batcher to
/// fill its batches, bounded so that a fast sender cannot queue unlimited work.
pub(super) const STREAM_IN_FLIGHT: usize = 256;

impl ListingApi {
    /// Screens `content` by `seller_id` against the current catalogue and the seller's standing.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` on `seller_field` when seller-reputation does not know the seller.
    pub(super) async fn screen_content(
        &self,
        seller_id: &str,
        content: &ListingContent,
        seller_field: &str,
    ) -> ServiceResult<Screened> {
        let standing = match self.standing.standing(seller_id).await {
            StandingAnswer::UnknownSeller => {
                return Err(ServiceError::invalid_field(
                    seller_field,
                    "is not a registered seller",
                ));
            }
            StandingAnswer::Standing(standing) => standing,
        };
        let catalog = self.catalog.snapshot();
        let draft = Draft {
            seller_id,
            title: &content.title,
            description: &content.description,
            category: &content.category,
            price: Some(&content.price),
            images: &content.images,
        };
        let assessment = catalog.screen(&draft, &standing, &self.config.screening);
        tracing::debug!(decision = ?assessment.decision, score = assessment.risk_score, "screened");
        super::metrics::record_decision(assessment.decision);
        Ok(Screened {
            assessment,
            screened_at: self.now(),
        })
    }

    pub(super) async fn screen_listing(
        &self,
        who: &Principal,
        request: pb::ScreenListingRequest,
    ) -> ServiceResult<pb::ScreenListingResponse> {
        let Some(draft) = request.draft.as_ref() else {
            return Err(ServiceError::invalid_field("draft", "is required"));
        };
        if !who.has_any(&[Role::Admin, Role::Reviewer]) && draft.seller_id != who.subject {
            return Err(ServiceError::permission_denied(
                "sellers may screen their own drafts only",
            ));
        }
        let content = draft_or_fail(
            DraftFields::from(draft),
            "draft",
            self.config.max_images,
            self.config.image_limits,
        )
        .await?;
        let screened = self
            .screen_content(&draft.seller_id, &content, "draft.seller_id")
            .await?;
        Ok(pb::ScreenListingResponse {
            screening: Some(convert::screening(
                &screened.assessment,
                screened.screened_at,
            )),
        })
    }

    /// Screens up to `STREAM_IN_FLIGHT` drafts of the stream at once (their standing look-ups
    /// share batch calls) and answers in the order the drafts came; a bad draft gets an error
    /// in its response and the stream goes on.
    pub(super) fn screen_stream(
        &self,
        requests: tonic::Streaming<pb::ScreenListingsRequest>,
    ) -> ReceiverStream<Result<pb::ScreenListingsResponse, tonic::Status>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        let api = self.clone();
        tokio::spawn(async move {
            let api = &api;
            let mut responses = requests
                .map(|request| match request {
                    Ok(request) => {
                        future::Either::Left(async move { Ok(api.screen_one(request).await) })
                    }
                    Err(status) => future::Either::Right(future::ready(Err(status))),
                })
                .buffered(STREAM_IN_FLIGHT);
            while let Some(response) = responses.next().await {
                let failed = response.is_err();
                if sender.send(response).await.is_err() || failed {
                    // The client went away, or its stream broke.
                    break;
                }
            }
        });
        ReceiverStream::new(receiver)
    }

    async fn screen_one(&self, request: pb::ScreenListingsRequest) -> pb::ScreenListingsResponse {
        let outcome = async {
            let draft = request
                .draft
                .as_ref()
                .ok_or_else(|| ServiceError::invalid_field("draft", "is required"))?;
            let content = draft_or_fail(
                DraftFields::from(draft),
                "draft",
                self.config.max_images,
                self.config.image_limits,
            )
            .await?;
            self.screen_content(&draft.seller_id, &content, "draft.seller_id")
                .await
        }
        .await;
        match outcome {
            Ok(screened) => pb::ScreenListingsResponse {
                r#ref: request.r#ref,
                screening: Some(convert::screening(
                    &screened.assessment,
                    screened.screened_at,
                )),
                error: String::new(),
            },
            Err(error) => pb::ScreenListingsResponse {
                r#ref: request.r#ref,
                screening: None,
                error: describe(&error),
            },
        }
    }
}

/// An error as one line: the message and every bad field.
fn describe(error: &ServiceError) -> String {
    let fields: Vec<String> = error
        .field_violations()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.description))
        .collect();
    if fields.is_empty() {
        error.to_string()
    } else {
        format!("{} ({})", error.code().name(), fields.join("; "))
    }
}
