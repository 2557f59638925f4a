//! PDQ perceptual hashes: parsing the 64-hex form industry hash-sharing programmes exchange, and
//! hashing PNG/JPEG bytes server-side within size and dimension limits, so a hostile upload is an
//! error for the caller, never a panic or an out-of-memory for the server.

use std::fmt;
use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Bytes in a PDQ hash (256 bits).
pub const PDQ_BYTES: usize = 32;

/// A 256-bit PDQ hash. Stored as four words for fast Hamming distance.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u64; 4]);

impl PdqHash {
    /// From the 32 bytes in the order of the reference hex form.
    #[must_use]
    pub fn from_bytes(bytes: [u8; PDQ_BYTES]) -> Self {
        let mut words = [0_u64; 4];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut buf = [0_u8; 8];
            buf.copy_from_slice(chunk);
            *word = u64::from_be_bytes(buf);
        }
        Self(words)
    }

    /// The 32 bytes in reference order.
    #[must_use]
    pub fn to_bytes(self) -> [u8; PDQ_BYTES] {
        let mut bytes = [0_u8; PDQ_BYTES];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        bytes
    }

    /// Parses 64 hexadecimal digits (either case).
    ///
    /// # Errors
    /// When the text is not exactly 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, HashParseError> {
        let text = text.trim();
        if text.len() != PDQ_BYTES * 2 {
            return Err(HashParseError(format!(
                "must be {} hexadecimal digits, got {} characters",
                PDQ_BYTES * 2,
                text.chars().count()
            )));
        }
        let mut bytes = [0_u8; PDQ_BYTES];
        hex::decode_to_slice(text, &mut bytes)
            .map_err(|_| HashParseError("must contain only hexadecimal digits 0-9, a-f".into()))?;
        Ok(Self::from_bytes(bytes))
    }

    /// The lower-case 64-hex form.
    #[must_use]
    pub fn to_hex(self) -> String {
        hex::encode(self.to_bytes())
    }

    /// Number of differing bits.
    #[must_use]
    pub fn distance(&self, other: &Self) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A hash text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HashParseError(pub String);

/// A hash with its PDQ quality (0–100): below the configured minimum it is not used for matching,
/// because flat or tiny images collide with unrelated ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHash {
    /// The hash.
    pub hash: PdqHash,
    /// 0 (featureless) to 100; hashes given as hex are trusted as 100.
    pub quality: u8,
}

/// How much work decoding one image may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest accepted encoded size in bytes (default 10 MiB).
    pub max_bytes: usize,
    /// Largest accepted width and height in pixels (default 8192).
    pub max_dimension: u32,
    /// Largest decoder allocation in bytes (default 256 MiB).
    pub max_alloc: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_dimension: 8192,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// Why an image could not be hashed; each becomes an `INVALID_ARGUMENT` field violation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The encoded image is larger than allowed.
    #[error("image is {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    /// Not PNG or JPEG.
    #[error("image must be PNG or JPEG")]
    UnsupportedFormat,
    /// Width or height beyond the limit.
    #[error("image is {width}x{height} pixels; at most {max} per side are accepted")]
    TooManyPixels { width: u32, height: u32, max: u32 },
    /// Smaller than PDQ can hash meaningfully.
    #[error("image is {width}x{height} pixels; at least 5 per side are needed")]
    TooSmall { width: u32, height: u32 },
    /// Corrupt or truncated data, or a decoder limit reached.
    #[error("image cannot be decoded: {0}")]
    Undecodable(String),
}

/// Hashes PNG or JPEG `bytes` within `limits`.
///
/// # Errors
/// [`ImageError`] for anything that is not a decodable PNG/JPEG within the limits.
pub fn hash_image(bytes: &[u8], limits: &ImageLimits) -> Result<ImageHash, ImageError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge {
            size: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::UnsupportedFormat)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(ImageError::UnsupportedFormat);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ImageError::Undecodable(e.to_string()))?;
    if width > limits.max_dimension || height > limits.max_dimension {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            max: limits.max_dimension,
        });
    }
    if width < 5 || height < 5 {
        return Err(ImageError::TooSmall { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_dimension);
    decoder_limits.max_image_height = Some(limits.max_dimension);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decoder_limits);
    let decoded = reader
        .decode()
        .map_err(|e| ImageError::Undecodable(e.to_string()))?;
    let rgb = decoded.into_rgb8();
    let (width, height) = rgb.dimensions();
    let buffer = pdqhash::image::RgbImage::from_raw(width, height, rgb.into_raw())
        .ok_or_else(|| ImageError::Undecodable("pixel buffer does not match its size".into()))?;
    let image = pdqhash::image::DynamicImage::ImageRgb8(buffer);
    // The PDQ crate is trusted but not audited for every shape of input: a panic in it must
    // not take the request's worker down with it.
    let hashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdqhash::generate_pdq(&image)
    }))
    .map_err(|_| ImageError::Undecodable("image could not be hashed".into()))?;
    let (bytes, quality) = hashed.ok_or(ImageError::TooSmall { width, height })?;
    Ok(ImageHash {
        hash: PdqHash::from_bytes(bytes),
        quality: quality_percent(quality),
    })
}

/// The crate reports quality as 0.0–1.0 (the reference gradient sum / 90, clamped); the PDQ
/// convention (and the "below 50" rule) is an integer 0–100.
fn quality_percent(quality: f32) -> u8 {
    let scaled = (quality * 100.0).floor();
    if scaled.is_nan() || scaled <= 0.0 {
        0
    } else if scaled >= 100.0 {
        100
    } else {
        // In 1..100 after the checks above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let percent = scaled as u8;
        percent
    }
}

#[cfg(test)]
pub(crate) mod test_images {
    //! Images made in memory for tests: detailed patterns (high PDQ quality) and flat ones.

    use image::{ImageBuffer, Rgb};

    /// A photo-like RGB image: waves of every low frequency with 1/f amplitudes and
    /// seed-chosen phases, as natural images have (high PDQ quality, robust to re-encoding and
    /// resizing); `seed` changes it.
    pub fn pattern(width: u32, height: u32, seed: u32) -> image::RgbImage {
        use std::f64::consts::TAU;
        let mut state = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next_phase = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            #[allow(clippy::cast_precision_loss)]
            let unit = (state % 10_000) as f64 / 10_000.0;
            unit * TAU
        };
        let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
        let mut grey = vec![0.0_f64; (width * height) as usize];
        for fx in 0..8_i32 {
            for fy in -7..8_i32 {
                if fx == 0 && fy <= 0 {
                    continue;
                }
                let amplitude = 1.0 / f64::from(fx * fx + fy * fy).sqrt();
                let phase = next_phase();
                let xs: Vec<(f64, f64)> = (0..width)
                    .map(|x| (TAU * f64::from(fx) * f64::from(x) / w + phase).sin_cos())
                    .collect();
                for y in 0..height {
                    let (sy, cy) = (TAU * f64::from(fy) * f64::from(y) / h).sin_cos();
                    let row = &mut grey[(y * width) as usize..((y + 1) * width) as usize];
                    for (value, (sx, cx)) in row.iter_mut().zip(&xs) {
                        *value += amplitude * (sx * cy + cx * sy);
                    }
                }
            }
        }
        ImageBuffer::from_fn(width, height, |x, y| {
            let t = 0.5 + grey[(y * width + x) as usize] / 8.0;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let channel = |t: f64| (t.clamp(0.0, 1.0) * 255.0) as u8;
            Rgb([channel(t), channel(t * 0.8 + 0.1), channel(1.0 - t * 0.5)])
        })
    }

    /// PNG bytes of `image`.
    pub fn png(image: &image::RgbImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode PNG");
        out.into_inner()
    }

    /// JPEG bytes of `image`.
    pub fn jpeg(image: &image::RgbImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode JPEG");
        out.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::test_images::{jpeg, pattern, png};
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_bad_text() {
        let text = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let hash = PdqHash::from_hex(text).expect("valid");
        assert_eq!(hash.to_hex(), text);
        assert_eq!(
            PdqHash::from_hex(&text.to_uppercase()).expect("upper case"),
            hash
        );
        assert!(PdqHash::from_hex("abc").is_err());
        assert!(PdqHash::from_hex(&"g".repeat(64)).is_err());
        assert!(PdqHash::from_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn distance_counts_differing_bits() {
        let zero = PdqHash([0; 4]);
        let some = PdqHash([0b1011, 0, u64::MAX, 1 << 63]);
        assert_eq!(zero.distance(&zero), 0);
        assert_eq!(zero.distance(&some), 3 + 64 + 1);
        assert_eq!(some.distance(&zero), zero.distance(&some));
    }

    #[test]
    fn agrees_with_the_reference_hash_of_a_photo() {
        // The reference value hashes the full-size image; this service downsamples large
        // images first (as the crate recommends), which may move a few bits.
        let reference =
            PdqHash::from_hex("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
                .expect("hex");
        let bytes = include_bytes!("../../tests/data/bridge-1-original.jpg");
        let hashed = hash_image(bytes, &ImageLimits::default()).expect("photo");
        let distance = hashed.hash.distance(&reference);
        assert!(distance <= 8, "distance {distance}");
        assert!(hashed.quality >= 50);
    }

    #[test]
    fn png_and_jpeg_of_the_same_picture_hash_close_together() {
        let picture = pattern(320, 240, 1);
        let a = hash_image(&png(&picture), &ImageLimits::default()).expect("png");
        let b = hash_image(&jpeg(&picture), &ImageLimits::default()).expect("jpeg");
        assert!(a.quality >= 50, "quality {}", a.quality);
        assert!(
            a.hash.distance(&b.hash) <= 31,
            "distance {}",
            a.hash.distance(&b.hash)
        );
        let resized =
            image::imageops::resize(&picture, 160, 120, image::imageops::FilterType::Triangle);
        let c = hash_image(&png(&resized), &ImageLimits::default()).expect("resized");
        assert!(
            a.hash.distance(&c.hash) <= 31,
            "distance {}",
            a.hash.distance(&c.hash)
        );
    }

    #[test]
    fn different_pictures_are_far_apart() {
        let a = hash_image(&png(&pattern(256, 256, 1)), &ImageLimits::default()).expect("a");
        let b = hash_image(&png(&pattern(256, 256, 9)), &ImageLimits::default()).expect("b");
        assert!(
            a.hash.distance(&b.hash) > 31,
            "distance {}",
            a.hash.distance(&b.hash)
        );
    }

    #[test]
    fn a_flat_image_has_low_quality() {
        let flat = image::RgbImage::from_pixel(64, 64, image::Rgb([120, 120, 120]));
        let hashed = hash_image(&png(&flat), &ImageLimits::default()).expect("flat");
        assert!(hashed.quality < 50, "quality {}", hashed.quality);
    }

    #[test]
    fn limits_are_enforced_before_decoding() {
        let bytes = png(&pattern(100, 60, 2));
        let small = ImageLimits {
            max_bytes: 10,
            ..ImageLimits::default()
        };
        assert!(matches!(
            hash_image(&bytes, &small),
            Err(ImageError::TooLarge { .. })
        ));
        let narrow = ImageLimits {
            max_dimension: 64,
            ..ImageLimits::default()
        };
        assert_eq!(
            hash_image(&bytes, &narrow),
            Err(ImageError::TooManyPixels {
                width: 100,
                height: 60,
                max: 64
            })
        );
        let tiny = png(&pattern(4, 40, 2));
        assert_eq!(
            hash_image(&tiny, &ImageLimits::default()),
            Err(ImageError::TooSmall {
                width: 4,
                height: 40
            })
        );
    }

    #[test]
    fn a_header_claiming_huge_dimensions_is_refused_without_allocating() {
        // A valid PNG header announcing 100000 x 100000 pixels, and nothing after it.
        let mut bytes = png(&pattern(8, 8, 3));
        // IHDR width/height are bytes 16..24.
        bytes[16..20].copy_from_slice(&100_000_u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000_u32.to_be_bytes());
        let result = hash_image(&bytes, &ImageLimits::default());
        assert!(
            matches!(
                result,
                Err(ImageError::TooManyPixels { .. } | ImageError::Undecodable(_))
            ),
            "{result:?}"
        );
    }

    #[test]
    fn other_formats_are_refused() {
        assert_eq!(
            hash_image(b"GIF89a......", &ImageLimits::default()),
            Err(ImageError::UnsupportedFormat)
        );
        assert_eq!(
            hash_image(b"not an image", &ImageLimits::default()),
            Err(ImageError::UnsupportedFormat)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn corrupt_images_are_errors_not_panics(cut in 0_usize..2000, flip in 0_usize..2000, byte: u8) {
            let mut bytes = png(&pattern(40, 30, 5));
            if flip < bytes.len() && flip > 8 {
                bytes[flip] = byte;
            }
            bytes.truncate(cut.max(8));
            let _ = hash_image(&bytes, &ImageLimits::default());
            let mut jpg = jpeg(&pattern(40, 30, 5));
            if flip < jpg.len() && flip > 4 {
                jpg[flip] = byte;
            }
            jpg.truncate(cut.max(4));
            let _ = hash_image(&jpg, &ImageLimits::default());
        }
    }
}
