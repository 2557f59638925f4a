//! Screening of drafts: the shared step of create, update and the two screening RPCs.

use futures::{StreamExt, future};
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_runtime::auth::{Principal, Role};
use genuine_runtime::errors::{ServiceError, ServiceResult};
use tokio_stream::wrappers::ReceiverStream;

use super::validate::{DraftFields, draft_or_fail};
use super::{ListingApi, convert};
use crate::clients::reputation::StandingAnswer;
use crate::screening::{Assessment, Catalog, Draft, ScreeningConfig};
use crate::store::{ListingContent, Screened};

/// Responses buffered per ScreenListings stream before the client reads them.
const STREAM_BUFFER: usize = 32;

/// Drafts of one ScreenListings stream taken together: the ones that have arrived, up to this
/// many, share one standing look-up and one catalogue snapshot.
const STREAM_CHUNK: usize = 256;

/// Chunks of one stream screened at once, so that the standing look-up of the next chunk
/// overlaps the screening of this one; bounded so that a fast sender cannot queue unlimited
/// work.
const STREAM_CHUNKS_IN_FLIGHT: usize = 4;

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
        let standing = self.standing.standing(seller_id).await;
        let catalog = self.catalog.snapshot();
        screen_against(
            &catalog,
            &self.config.screening,
            seller_id,
            content,
            &standing,
            seller_field,
        )
        .map(|assessment| Screened {
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

    /// Screens the stream in chunks of the drafts that have arrived (up to `STREAM_CHUNK`,
    /// `STREAM_CHUNKS_IN_FLIGHT` chunks at once) and answers in the order the drafts came; a
    /// bad draft gets an error in its response and the stream goes on.
    pub(super) fn screen_stream(
        &self,
        requests: tonic::Streaming<pb::ScreenListingsRequest>,
    ) -> ReceiverStream<Result<pb::ScreenListingsResponse, tonic::Status>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        let api = self.clone();
        tokio::spawn(async move {
            let api = &api;
            let mut chunks = requests
                .ready_chunks(STREAM_CHUNK)
                .map(|chunk| api.screen_chunk(chunk))
                .buffered(STREAM_CHUNKS_IN_FLIGHT);
            while let Some(responses) = chunks.next().await {
                for response in responses {
                    let failed = response.is_err();
                    if sender.send(response).await.is_err() || failed {
                        // The client went away, or its stream broke.
                        return;
                    }
                }
            }
        });
        ReceiverStream::new(receiver)
    }

    /// The responses to one chunk of a stream, in order, ending at the first broken item.
    async fn screen_chunk(
        &self,
        chunk: Vec<Result<pb::ScreenListingsRequest, tonic::Status>>,
    ) -> Vec<Result<pb::ScreenListingsResponse, tonic::Status>> {
        let mut requests = Vec::with_capacity(chunk.len());
        let mut broken = None;
        for item in chunk {
            match item {
                Ok(request) => requests.push(request),
                Err(status) => {
                    broken = Some(status);
                    break;
                }
            }
        }
        let contents =
            future::join_all(requests.iter().map(|request| self.validated(request))).await;
        let standings = self
            .standing
            .standings(
                requests
                    .iter()
                    .zip(&contents)
                    .filter(|(_, content)| content.is_ok())
                    .filter_map(|(request, _)| request.draft.as_ref())
                    .map(|draft| draft.seller_id.as_str()),
            )
            .await;
        let catalog = self.catalog.snapshot();
        let screened_at = self.now();
        let mut responses: Vec<_> = requests
            .into_iter()
            .zip(contents)
            .map(|(request, content)| {
                // A valid draft's seller was asked for, so `standings` has it.
                let seller_id = request.draft.as_ref().map_or("", |d| d.seller_id.as_str());
                let outcome = content.and_then(|content| {
                    let standing = standings
                        .get(seller_id)
                        .unwrap_or(&StandingAnswer::UnknownSeller);
                    screen_against(
                        &catalog,
                        &self.config.screening,
                        seller_id,
                        &content,
                        standing,
                        "draft.seller_id",
                    )
                });
                let (screening, error) = match outcome {
                    Ok(assessment) => (
                        Some(convert::screening(&assessment, screened_at)),
                        String::new(),
                    ),
                    Err(error) => (None, describe(&error)),
                };
                Ok(pb::ScreenListingsResponse {
                    r#ref: request.r#ref,
                    screening,
                    error,
                })
            })
            .collect();
        responses.extend(broken.map(Err));
        responses
    }

    /// The draft of one stream item, checked.
    async fn validated(
        &self,
        request: &pb::ScreenListingsRequest,
    ) -> ServiceResult<ListingContent> {
        let draft = request
            .draft
            .as_ref()
            .ok_or_else(|| ServiceError::invalid_field("draft", "is required"))?;
        draft_or_fail(
            DraftFields::from(draft),
            "draft",
            self.config.max_images,
            self.config.image_limits,
        )
        .await
    }
}

/// Screens `content` by `seller_id`, of `standing`, against `catalog`: the step every screening
/// path shares.
///
/// # Errors
/// `INVALID_ARGUMENT` on `seller_field` when seller-reputation does not know the seller.
fn screen_against(
    catalog: &Catalog,
    config: &ScreeningConfig,
    seller_id: &str,
    content: &ListingContent,
    standing: &StandingAnswer,
    seller_field: &str,
) -> ServiceResult<Assessment> {
    let standing = match standing {
        StandingAnswer::UnknownSeller => {
            return Err(ServiceError::invalid_field(
                seller_field,
                "is not a registered seller",
            ));
        }
        StandingAnswer::Standing(standing) => standing,
    };
    let draft = Draft {
        seller_id,
        title: &content.title,
        description: &content.description,
        category: &content.category,
        price: Some(&content.price),
        images: &content.images,
    };
    let assessment = catalog.screen(&draft, standing, config);
    tracing::debug!(decision = ?assessment.decision, score = assessment.risk_score, "screened");
    super::metrics::record_decision(assessment.decision);
    Ok(assessment)
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
