//! Request checking: every bad field is reported at once, named by its path in the request.

use genuine_contracts::genuine::common::v1 as common;
use genuine_contracts::genuine::listing::v1 as pb;
use genuine_contracts::genuine::listing::v1::image_input::Image;
use genuine_runtime::errors::{ServiceError, ServiceResult, Violations};

use crate::domain::money::Money;
use crate::screening::pdq::{ImageError, hash_image};
use crate::screening::{ImageHash, ImageLimits, PdqHash};
use crate::store::ListingContent;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Longest category, request id, id or name, in characters.
pub const MAX_SHORT_CHARS: usize = 200;

/// Joins a prefix ("draft") and a field.
fn path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Records problems of a required id-like field.
pub fn short_required(v: &mut Violations, value: &str, field: impl Into<String>) {
    let field = field.into();
    if v.require(value, field.clone()) {
        v.max_chars(value, MAX_SHORT_CHARS, field);
    }
}

/// Checks a money field, recording problems under `field.*`.
pub fn money(v: &mut Violations, value: Option<&common::Money>, field: &str) -> Option<Money> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    match Money::parse(&value.currency_code, value.units, value.nanos) {
        Ok(m) => Some(m),
        Err(problems) => {
            for p in problems {
                v.add(format!("{field}.{}", p.field), p.description);
            }
            None
        }
    }
}

/// An image as given: bytes to hash or a hash to parse.
pub(super) enum Given {
    Bytes(Vec<u8>),
    Hash(PdqHash),
}

/// Parses and hashes the images of a request (the hashing on a blocking thread: it is CPU work).
/// Problems are recorded per image; the result has a hash for every good image, in order.
pub async fn images(
    v: &mut Violations,
    images: &[pb::ImageInput],
    max: usize,
    limits: ImageLimits,
    field: &str,
) -> ServiceResult<Vec<ImageHash>> {
    if images.len() > max {
        v.add(field, format!("at most {max} images; got {}", images.len()));
        return Ok(Vec::new());
    }
    let mut given = Vec::with_capacity(images.len());
    for (i, image) in images.iter().enumerate() {
        match &image.image {
            None => v.add(
                format!("{field}[{i}]"),
                "give content (PNG/JPEG bytes) or pdq_hash",
            ),
            Some(Image::PdqHash(text)) => match PdqHash::from_hex(text) {
                Ok(hash) => given.push((i, Given::Hash(hash))),
                Err(e) => v.add(format!("{field}[{i}].pdq_hash"), e.0),
            },
            Some(Image::Content(bytes)) => given.push((i, Given::Bytes(bytes.clone()))),
        }
    }
    let hashed = hash_all(given, limits).await?;
    let mut out = Vec::with_capacity(hashed.len());
    for (i, result) in hashed {
        match result {
            Ok(hash) => out.push(hash),
            Err(e) => v.add(format!("{field}[{i}].content"), e.to_string()),
        }
    }
    Ok(out)
}

/// Hashes byte images on a blocking thread; hashes given as hex pass through with quality 100
/// (without the trip to a blocking thread when there is nothing to hash).
pub(super) async fn hash_all(
    given: Vec<(usize, Given)>,
    limits: ImageLimits,
) -> ServiceResult<Vec<(usize, Result<ImageHash, ImageError>)>> {
    let given_has_bytes = given.iter().any(|(_, g)| matches!(g, Given::Bytes(_)));
    let hash_each = move || {
        given
            .into_iter()
            .map(|(i, g)| {
                let result = match g {
                    Given::Hash(hash) => Ok(ImageHash { hash, quality: 100 }),
                    Given::Bytes(bytes) => hash_image(&bytes, &limits),
                };
                (i, result)
            })
            .collect()
    };
    if !given_has_bytes {
        return Ok(hash_each());
    }
    tokio::task::spawn_blocking(hash_each)
        .await
        .map_err(ServiceError::internal)
}

/// The draft fields of CreateListing, ScreenListing and ScreenListings.
pub struct DraftFields<'a> {
    pub seller_id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub price: Option<&'a common::Money>,
    pub images: &'a [pb::ImageInput],
}

impl<'a> From<&'a pb::ListingDraft> for DraftFields<'a> {
    fn from(d: &'a pb::ListingDraft) -> Self {
        Self {
            seller_id: &d.seller_id,
            title: &d.title,
            description: &d.description,
            category: &d.category,
            price: d.price.as_ref(),
            images: &d.images,
        }
    }
}

/// Checks every draft field under `prefix`; the content when all are good.
pub async fn draft(
    v: &mut Violations,
    fields: DraftFields<'_>,
    prefix: &str,
    max_images: usize,
    limits: ImageLimits,
) -> ServiceResult<Option<ListingContent>> {
    short_required(v, fields.seller_id, path(prefix, "seller_id"));
    let title = fields.title.trim();
    if v.require(title, path(prefix, "title")) {
        v.max_chars(title, MAX_TITLE_CHARS, path(prefix, "title"));
    }
    v.max_chars(
        fields.description,
        MAX_DESCRIPTION_CHARS,
        path(prefix, "description"),
    );
    short_required(v, fields.category.trim(), path(prefix, "category"));
    let price = money(v, fields.price, &path(prefix, "price"));
    let images = images(
        v,
        fields.images,
        max_images,
        limits,
        &path(prefix, "images"),
    )
    .await?;
    Ok(match price {
        Some(price) if v.is_empty() => Some(ListingContent {
            title: title.to_owned(),
            description: fields.description.to_owned(),
            category: fields.category.trim().to_owned(),
            price,
            images,
        }),
        _ => None,
    })
}

/// Like [`draft`], failing with every violation.
///
/// # Errors
/// `INVALID_ARGUMENT` naming every bad field.
pub async fn draft_or_fail(
    fields: DraftFields<'_>,
    prefix: &str,
    max_images: usize,
    limits: ImageLimits,
) -> ServiceResult<ListingContent> {
    let mut v = Violations::new();
    let content = draft(&mut v, fields, prefix, max_images, limits).await?;
    v.finish()?;
    content.ok_or_else(|| ServiceError::internal("draft valid but incomplete"))
}
