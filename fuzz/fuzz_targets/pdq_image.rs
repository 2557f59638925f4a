//! The image path of CreateListing and AddCounterfeitImages: format sniffing, dimension check,
//! bounded decode and PDQ hashing of untrusted bytes, with the service's default limits.
//! Properties: no panic, and a hash is only produced for a PNG/JPEG within the limits.
#![no_main]

use genuine_listing::screening::ImageLimits;
use genuine_listing::screening::pdq::hash_image;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let limits = ImageLimits::default();
    if let Ok(hash) = hash_image(bytes, &limits) {
        assert!(hash.quality <= 100);
        assert!(bytes.starts_with(b"\x89PNG") || bytes.starts_with(&[0xFF, 0xD8]));
    }
});
