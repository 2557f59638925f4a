//! Image bytes for CreateListing and AddCounterfeitImages: a real PNG, and what an attacker
//! sends instead (truncated, mislabelled, dimensions beyond every limit, a header promising a
//! huge decode over a few bytes of data).

use std::io::Cursor;

use proptest::prelude::*;

/// A detailed 64x64 PNG (PDQ needs texture to hash with quality).
pub fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 64, |x, y| {
        let v = (x * 7 + y * 13 + u32::from(seed) * 31) ^ (x * y);
        image::Rgb([v as u8, (v >> 2) as u8, (v * 3) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// A PNG signature and header chunk claiming `width`x`height`, then `tail`.
pub fn png_claiming(width: u32, height: u32, tail: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    out.extend_from_slice(&13_u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out.extend_from_slice(tail);
    out
}

/// Every hostile image this module knows, with the reason (for messages).
pub fn hostile_cases() -> Vec<(&'static str, Vec<u8>)> {
    let real = png(1);
    vec![
        ("empty", Vec::new()),
        ("truncated PNG", real[..real.len() / 2].to_vec()),
        ("PNG signature only", real[..8].to_vec()),
        ("GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec()),
        (
            "JPEG start, then garbage",
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0x41; 300]].concat(),
        ),
        (
            "PNG claiming 100000x100000",
            png_claiming(100_000, 100_000, &[]),
        ),
        (
            "PNG claiming 8000x8000 over 100 bytes",
            png_claiming(8_000, 8_000, &[0; 100]),
        ),
        ("PNG claiming 0x0", png_claiming(0, 0, &[])),
        ("1x1 PNG", {
            let mut out = Cursor::new(Vec::new());
            image::RgbImage::new(1, 1)
                .write_to(&mut out, image::ImageFormat::Png)
                .expect("PNG encodes");
            out.into_inner()
        }),
        ("3 MiB of zeros", vec![0; 3 * 1024 * 1024]),
    ]
}

/// A valid image.
pub fn plausible() -> BoxedStrategy<Vec<u8>> {
    any::<u8>().prop_map(png).boxed()
}

/// A hostile image, or random bytes.
pub fn hostile() -> BoxedStrategy<Vec<u8>> {
    let cases: Vec<Vec<u8>> = hostile_cases()
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    prop_oneof![
        3 => proptest::sample::select(cases),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ]
    .boxed()
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
