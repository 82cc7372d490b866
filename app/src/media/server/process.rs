//! Reading an upload and making its variants: CPU-bound work, run off the
//! async runtime by the caller.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::store::model::media::FileRecord;

/// Widths of the resized copies; none is wider than the original.
pub const VARIANT_WIDTHS: [u32; 4] = [400, 800, 1200, 1600];
const WEBP_QUALITY: f32 = 78.0;
/// Originals up to this width also get a WebP at their own size.
const FULL_SIZE_WEBP_UP_TO: u32 = 2000;
const JPEG_QUALITY: u8 = 86;

/// A stored file: its content address and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub key: String,
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

impl StoredFile {
    /// What the database keeps of it.
    pub fn record(&self) -> FileRecord {
        FileRecord {
            key: self.key.clone(),
            content_type: self.content_type,
            width: self.width,
            height: self.height,
            size: i64::try_from(self.bytes.len()).unwrap_or(i64::MAX),
        }
    }
}

/// An upload, read and re-encoded: the original (upright, without
/// metadata) and its variants, smallest first.
#[derive(Debug)]
pub struct Processed {
    pub original: StoredFile,
    pub variants: Vec<StoredFile>,
}

/// Why an upload was refused, in words for the person uploading.
pub type Refusal = String;

/// Reads an upload: the format comes from its bytes (never its name), its
/// pixels are counted from the header before anything is decoded, and it
/// is turned upright and re-encoded, which leaves EXIF (GPS included) and
/// every other metadata behind. CPU-bound: run it off the async runtime.
pub fn process(bytes: &[u8], max_pixels: u64) -> Result<Processed, Refusal> {
    let format = image::guess_format(bytes).ok().filter(|format| {
        matches!(
            format,
            ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
        )
    });
    let Some(format) = format else {
        return Err(
            "This file is not a JPEG, PNG, WebP or GIF image. Other files, SVG drawings included, \
                    cannot be uploaded; export the picture as PNG or JPEG first."
                .into(),
        );
    };
    let unreadable = |_| "This image could not be read: the file seems damaged or incomplete.".to_owned();
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(1024 * 1024 * 1024);
        reader.limits(limits);
        reader
    };
    let (width, height) = reader().into_dimensions().map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(format!(
            "This image is {width} × {height} pixels, more than the {} megapixels Vellum accepts. \
             Make it smaller and upload it again.",
            max_pixels / 1_000_000
        ));
    }
    let mut decoder = reader().into_decoder().map_err(unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);

    let original = encode(&picture, format)?;
    let mut variants = Vec::new();
    // Largest first, each resized from the one before: a phone photo is
    // scaled down from 12 megapixels once, not four times.
    let mut source = &picture;
    let mut resized = Vec::new();
    for width in VARIANT_WIDTHS
        .into_iter()
        .rev()
        .filter(|width| *width < picture.width())
    {
        let height = scaled_height(picture.width(), picture.height(), width);
        resized.push(source.resize_exact(width, height, image::imageops::FilterType::CatmullRom));
        source = resized.last().unwrap_or(&picture);
    }
    for smaller in resized.iter().rev() {
        // A very tall picture's copies may exceed WebP's size limit; they
        // keep the original's format only.
        if fits_webp(smaller) {
            variants.push(encode(smaller, ImageFormat::WebP)?);
        }
        if format != ImageFormat::WebP {
            variants.push(encode(smaller, format)?);
        }
    }
    // Up to a little past the largest variant, the full size in WebP too
    // (often far smaller than the original); above that the 1600 px copy
    // serves every screen.
    if format != ImageFormat::WebP && picture.width() <= FULL_SIZE_WEBP_UP_TO && fits_webp(&picture) {
        variants.push(encode(&picture, ImageFormat::WebP)?);
    }
    Ok(Processed { original, variants })
}

fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    let scaled = u64::from(height) * u64::from(to_width) / u64::from(width.max(1));
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// WebP's own limit on either side, in pixels.
const WEBP_MAX_SIDE: u32 = 16_383;

fn fits_webp(picture: &DynamicImage) -> bool {
    picture.width() <= WEBP_MAX_SIDE && picture.height() <= WEBP_MAX_SIDE
}

fn encode(picture: &DynamicImage, format: ImageFormat) -> Result<StoredFile, Refusal> {
    let failed = |error: &dyn std::fmt::Debug| {
        tracing::warn!(?error, "encoding an upload failed");
        "This image could not be converted; try saving it again as PNG or JPEG.".to_owned()
    };
    let mut bytes = Vec::new();
    let (extension, content_type) = match format {
        ImageFormat::Jpeg => {
            let rgb = picture.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
                .encode_image(&rgb)
                .map_err(|error| failed(&error))?;
            ("jpg", "image/jpeg")
        }
        ImageFormat::WebP => {
            // `encode` would panic on libwebp's refusals; this answers them.
            let encoded = if picture.color().has_alpha() {
                let rgba = picture.to_rgba8();
                webp::Encoder::from_rgba(&rgba, rgba.width(), rgba.height()).encode_simple(false, WEBP_QUALITY)
            } else {
                let rgb = picture.to_rgb8();
                webp::Encoder::from_rgb(&rgb, rgb.width(), rgb.height()).encode_simple(false, WEBP_QUALITY)
            }
            .map_err(|error| failed(&error))?;
            bytes.extend_from_slice(&encoded);
            ("webp", "image/webp")
        }
        ImageFormat::Gif => {
            picture
                .to_rgba8()
                .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Gif)
                .map_err(|error| failed(&error))?;
            ("gif", "image/gif")
        }
        _ => {
            let converted = if picture.color().has_alpha() {
                DynamicImage::ImageRgba8(picture.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(picture.to_rgb8())
            };
            converted
                .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
                .map_err(|error| failed(&error))?;
            ("png", "image/png")
        }
    };
    Ok(StoredFile {
        key: format!("{}.{extension}", hex::encode(Sha256::digest(&bytes))),
        bytes,
        content_type,
        width: picture.width(),
        height: picture.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::server::is_media_key;

    fn picture(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap_or_default();
        bytes
    }

    /// A JPEG with an EXIF block saying "rotate 90° clockwise to view".
    fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
        let plain = encoded(&picture(width, height), ImageFormat::Jpeg);
        // Big-endian TIFF with one IFD entry: Orientation (0x0112) = 6.
        let tiff: &[u8] =
            b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
        let mut payload = b"Exif\x00\x00".to_vec();
        payload.extend_from_slice(tiff);
        payload.extend_from_slice(b"GPS 51.5N 0.1W");
        let length = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX);
        let mut bytes = plain[..2].to_vec();
        bytes.extend_from_slice(&[0xFF, 0xE1]);
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(&plain[2..]);
        bytes
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A PNG whose header claims 30000 × 30000 pixels: what a
    /// decompression bomb looks like before it is unpacked.
    fn claimed_giant_png() -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&30_000u32.to_be_bytes());
        ihdr.extend_from_slice(&30_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(&ihdr);
        bytes.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // A few bytes of "image data": the header is all a reader needs.
        for chunk in [&b"IDAT\x78\x9c\x03\x00"[..], &b"IEND"[..]] {
            bytes.extend_from_slice(&u32::try_from(chunk.len() - 4).unwrap_or(0).to_be_bytes());
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(&crc32(chunk).to_be_bytes());
        }
        bytes
    }

    #[test]
    fn the_bytes_decide_the_type() {
        let png = encoded(&picture(600, 400), ImageFormat::Png);
        let processed = process(&png, 50_000_000).unwrap_or_else(|refusal| panic!("{refusal}"));
        assert_eq!(
            processed.original.content_type, "image/png",
            "a PNG stays a PNG, whatever its name said"
        );
        assert!(processed.original.key.ends_with(".png"));
        for refused in [
            b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(),
            b"%PDF-1.7 not a picture".to_vec(),
        ] {
            let refusal = process(&refused, 50_000_000).err().unwrap_or_default();
            assert!(refusal.contains("not a JPEG, PNG, WebP or GIF"), "{refusal}");
        }
        let truncated = &png[..png.len() / 2];
        assert!(process(truncated, 50_000_000).is_err(), "a cut-off file is refused");
    }

    #[test]
    fn pixel_limits_refuse_bombs_before_decoding() {
        let refusal = process(&claimed_giant_png(), 50_000_000).err().unwrap_or_default();
        assert!(refusal.contains("30000 × 30000"), "{refusal}");
        let refusal = process(&encoded(&picture(1000, 1000), ImageFormat::Png), 999_999)
            .err()
            .unwrap_or_default();
        assert!(refusal.contains("megapixels"), "{refusal}");
    }

    #[test]
    fn exif_is_applied_then_dropped() {
        let upload = jpeg_with_exif(300, 200);
        assert!(upload.windows(4).any(|window| window == b"Exif"));
        let processed = process(&upload, 50_000_000).unwrap_or_else(|refusal| panic!("{refusal}"));
        for file in std::iter::once(&processed.original).chain(&processed.variants) {
            assert!(!file.bytes.windows(4).any(|window| window == b"Exif"), "{}", file.key);
            assert!(!file.bytes.windows(3).any(|window| window == b"GPS"), "{}", file.key);
        }
        assert_eq!(
            (processed.original.width, processed.original.height),
            (200, 300),
            "turned upright as the camera said"
        );
    }

    #[test]
    fn variants_are_smaller_never_larger() {
        let processed = process(&encoded(&picture(1000, 500), ImageFormat::Jpeg), 50_000_000)
            .unwrap_or_else(|refusal| panic!("{refusal}"));
        let sizes: Vec<(u32, &str)> = processed
            .variants
            .iter()
            .map(|variant| (variant.width, variant.content_type))
            .collect();
        assert_eq!(
            sizes,
            [
                (400, "image/webp"),
                (400, "image/jpeg"),
                (800, "image/webp"),
                (800, "image/jpeg"),
                (1000, "image/webp")
            ]
        );
        assert_eq!(processed.variants[0].height, 200);
        assert!(processed.variants.iter().all(|variant| is_media_key(&variant.key)));
    }

    #[test]
    fn very_tall_pictures_keep_within_webp_limits() {
        let processed = process(&encoded(&picture(300, 17_000), ImageFormat::Jpeg), 50_000_000)
            .unwrap_or_else(|refusal| panic!("{refusal}"));
        assert_eq!(processed.original.height, 17_000);
        assert!(
            processed.variants.is_empty(),
            "no copies: it is narrower than 400 px, and too tall for a WebP"
        );
    }

    #[test]
    fn webp_and_gif_uploads_are_read_too() {
        for (format, content_type) in [(ImageFormat::WebP, "image/webp"), (ImageFormat::Gif, "image/gif")] {
            let processed =
                process(&encoded(&picture(500, 300), format), 50_000_000).unwrap_or_else(|refusal| panic!("{refusal}"));
            assert_eq!(processed.original.content_type, content_type);
            assert!(
                processed.variants.iter().any(|variant| variant.width == 400),
                "{content_type}"
            );
        }
    }
}
