//! Screening of drafts: the shared step of create, update and the two screening RPCs.

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

    /// Screens each draft of the stream in turn; a bad draft gets an error in its response and
    /// the stream goes on.
    pub(super) fn screen_stream(
        &self,
        mut requests: tonic::Streaming<pb::ScreenListingsRequest>,
    ) -> ReceiverStream<Result<pb::ScreenListingsResponse, tonic::Status>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        let api = self.clone();
        tokio::spawn(async move {
            loop {
                let request = match requests.message().await {
                    Ok(Some(request)) => request,
                    Ok(None) => break,
                    Err(status) => {
                        let _ = sender.send(Err(status)).await;
                        break;
                    }
                };
                let response = api.screen_one(request).await;
                if sender.send(Ok(response)).await.is_err() {
                    // The client went away.
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
