//! Media on the server: reading uploads safely, the variants, what is
//! stored, who may change what, and the responsive `<img>` markup.

use std::collections::HashMap;
use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use super::api::MediaView;
use crate::accounts::Role;
use crate::accounts::server::{AuditAction, NewAuditEntry, User};
use crate::error::AppError;
use crate::state::{AppState, app_state};
use crate::store::files::MediaStorage;
pub use crate::store::model::media::*;
use crate::time::admin_time;

/// The most items the library page lists at once (newest first; search
/// finds older ones).
const LIBRARY_PAGE: i64 = 500;

/// Uploads being decoded and encoded at once, at most.
static PROCESSING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Widths of the resized copies; none is wider than the original.
pub const VARIANT_WIDTHS: [u32; 4] = [400, 800, 1200, 1600];
/// The `sizes` of body images: the article column is at most 46rem wide.
const BODY_SIZES: &str = "(max-width: 46rem) 100vw, 46rem";
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

/// A key as Vellum makes them: 64 hex digits and a known extension. Keys
/// from URLs are checked with this before they reach storage.
pub fn is_media_key(key: &str) -> bool {
    let Some((hash, extension)) = key.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(extension, "jpg" | "png" | "webp" | "gif")
}

pub fn content_type_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}

/// The most keys one lookup asks for: far more images than any page
/// shows, far fewer than a database's parameter limit.
const MAX_KEYS: usize = 500;

/// The media keys a text mentions (`/media/<key>`), each once, at most
/// `MAX_KEYS`.
pub fn mentioned_keys(texts: &[&str]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for text in texts {
        for (at, _) in text.match_indices(MEDIA_PREFIX) {
            let rest = &text[at + MEDIA_PREFIX.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or(rest.len());
            let key = &rest[..end];
            if is_media_key(key) && seen.insert(key) {
                keys.push(key.to_owned());
                if keys.len() == MAX_KEYS {
                    return keys;
                }
            }
        }
    }
    keys
}

// ---------------------------------------------------------------------------
// What is stored

/// An image with its variants, as pages and the API offer it.
#[derive(Debug, Clone)]
pub struct MediaImage {
    pub media: MediaRow,
    /// Smallest first.
    pub variants: Vec<VariantRow>,
}

impl MediaImage {
    /// `url 400w, url 800w, …` for one content type.
    pub fn srcset(&self, content_type: &str) -> String {
        self.variants
            .iter()
            .filter(|variant| variant.content_type == content_type)
            .map(|variant| format!("{MEDIA_PREFIX}{} {}w", variant.key, variant.width))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The images of some texts, by original key.
pub type MediaIndex = HashMap<String, MediaImage>;

/// The library images these texts mention, with their variants: one
/// query for the items and one for the variants, whatever the count.
pub async fn media_index(state: &AppState, texts: &[&str]) -> Result<MediaIndex, AppError> {
    let keys = mentioned_keys(texts);
    if keys.is_empty() {
        return Ok(MediaIndex::new());
    }
    let rows = state.store.media_by_keys(&keys).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut variants = state.store.media_variants(&ids).await?;
    Ok(rows
        .into_iter()
        .map(|media| {
            let (own, rest): (Vec<_>, Vec<_>) = variants.drain(..).partition(|variant| variant.media_id == media.id);
            variants = rest;
            (media.original_key.clone(), MediaImage { media, variants: own })
        })
        .collect())
}

/// The original key of a site-relative media URL (`/media/<key>`).
pub fn key_of(url: &str) -> Option<&str> {
    url.strip_prefix(MEDIA_PREFIX).filter(|key| is_media_key(key))
}

/// Gives every library image in sanitised HTML its WebP variants, its
/// dimensions (no layout shift) and lazy loading. Only `<img src="/media/…">`
/// as the sanitiser writes it is touched, and only known keys.
pub fn responsive_images(html: &str, media: &MediaIndex) -> String {
    const START: &str = "<img src=\"/media/";
    if media.is_empty() || !html.contains(START) {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find(START) {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let key_start = START.len();
        let key_end = tag[key_start..].find('"').map_or(key_start, |end| key_start + end);
        match media.get(&tag[key_start..key_end]) {
            Some(image) => {
                let srcset = image.srcset("image/webp");
                out.push_str(&format!(
                    "<img srcset=\"{srcset}\" sizes=\"{BODY_SIZES}\" width=\"{}\" height=\"{}\" loading=\"lazy\" \
                     decoding=\"async\" src=\"/media/",
                    image.media.width, image.media.height
                ));
            }
            None => out.push_str(START),
        }
        rest = &tag[key_start..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// Server function bodies (the callers checked who is asking).

/// Authors change what they uploaded; editors and admins, everything.
fn may_edit(user: &User, row: &MediaRow) -> bool {
    user.role >= Role::Editor || row.uploaded_by == Some(user.id)
}

pub async fn view(state: &AppState, user: &User, row: MediaRow) -> Result<MediaView, AppError> {
    views(state, user, vec![row]).await?.pop().ok_or(AppError::NotFound)
}

/// The library items as the admin shows them; the settings and every
/// item's variants are read once for the whole list.
async fn views(state: &AppState, user: &User, rows: Vec<MediaRow>) -> Result<Vec<MediaView>, AppError> {
    let settings = state.store.site_settings().await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let variants = state.store.media_variants(&ids).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let used_in = state.store.media_usage(&row.original_key).await?;
        let thumbnail = variants
            .iter()
            .find(|variant| variant.media_id == row.id && variant.content_type == "image/webp")
            .map_or(row.original_key.clone(), |variant| variant.key.clone());
        views.push(MediaView {
            id: row.id,
            url: format!("{MEDIA_PREFIX}{}", row.original_key),
            thumbnail_url: format!("{MEDIA_PREFIX}{thumbnail}"),
            can_edit: may_edit(user, &row),
            file_name: row.file_name,
            bytes: row.bytes,
            width: row.width,
            height: row.height,
            alt: row.alt,
            uploaded_by: row.uploader.unwrap_or_else(|| "a former user".into()),
            created: admin_time(row.created_at, &settings),
            used_in,
        });
    }
    Ok(views)
}

pub async fn list(user: &User, q: &str) -> Result<Vec<MediaView>, AppError> {
    let state = app_state()?;
    let rows = state.store.media_list(q.trim(), LIBRARY_PAGE).await?;
    views(&state, user, rows).await
}

/// Alt text: plain text, at most 500 characters.
pub fn alt_text(raw: &str) -> Result<String, String> {
    let alt = raw.trim();
    if alt.is_empty() {
        return Err("Describe the image for people who cannot see it.".into());
    }
    if alt.chars().count() > 500 || alt.chars().any(char::is_control) {
        return Err("Use at most 500 characters of plain text.".into());
    }
    Ok(alt.to_owned())
}

pub async fn set_alt(user: &User, id: i64, raw: &str) -> Result<MediaView, AppError> {
    let state = app_state()?;
    let alt = alt_text(raw).map_err(|message| AppError::invalid("alt", message))?;
    let row = state.store.media_by_id(id).await?.ok_or(AppError::NotFound)?;
    if row.alt == alt {
        return view(&state, user, row).await;
    }
    // Anyone may describe an image nobody has described yet (an author
    // using a colleague's upload); changing a description is its owner's.
    let fills_in = row.alt.is_empty();
    if !fills_in && !may_edit(user, &row) {
        return Err(AppError::Forbidden);
    }
    let only_uploader = (!fills_in && user.role < Role::Editor).then_some(user.id);
    let row = state.store.set_media_alt(id, &alt, only_uploader).await?;
    view(&state, user, row).await
}

pub async fn delete(user: &User, id: i64) -> Result<(), AppError> {
    let state = app_state()?;
    let row = state.store.media_by_id(id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(user, &row) {
        return Err(AppError::Forbidden);
    }
    let address = crate::accounts::server::request_address(&state).await;
    let audit = NewAuditEntry::new(AuditAction::MediaDeleted, Some(user.id), None)
        .address(&address)
        .detail(format!("\"{}\" ({})", row.file_name, row.original_key));
    let only_uploader = (user.role < Role::Editor).then_some(user.id);
    let keys = state.store.delete_media(id, only_uploader, &audit).await?;
    // The rows are gone; a file that fails to go is only wasted space.
    remove_unreferenced(&state, &keys).await;
    Ok(())
}

/// Stores an upload for `user`: files first (content-addressed, so a
/// retry rewrites the same bytes), then the rows in one transaction. The
/// same picture uploaded twice is one library item.
pub async fn upload(
    state: &AppState,
    user: &User,
    file_name: &str,
    bytes: Vec<u8>,
    address: &str,
) -> Result<MediaView, AppError> {
    let max_pixels = state.config.media_max_pixels;
    // A large photo needs hundreds of megabytes while it is processed: a
    // few at a time, the rest wait their turn.
    let turn = PROCESSING
        .acquire()
        .await
        .map_err(|error| AppError::internal(format_args!("image processing queue: {error}")))?;
    let processed = tokio::task::spawn_blocking(move || process(&bytes, max_pixels))
        .await
        .map_err(|error| AppError::internal(format_args!("image processing stopped: {error}")))?
        .map_err(|message| AppError::invalid("file", message))?;
    drop(turn);
    let keys: Vec<String> = std::iter::once(&processed.original)
        .chain(&processed.variants)
        .map(|file| file.key.clone())
        .collect();
    for file in std::iter::once(&processed.original).chain(&processed.variants) {
        if let Err(error) = state.media.put(&file.key, file.bytes.clone()).await {
            remove_unreferenced(state, &keys).await;
            return Err(error);
        }
    }
    let file_name = clean_file_name(file_name);
    let audit = NewAuditEntry::new(AuditAction::MediaUploaded, Some(user.id), None)
        .address(address)
        .detail(format!("\"{file_name}\" ({})", processed.original.key));
    let created = state
        .store
        .create_media(
            &NewMedia {
                original: processed.original.record(),
                variants: processed.variants.iter().map(StoredFile::record).collect(),
                file_name,
                uploaded_by: user.id,
                created_at: state.clock.now(),
            },
            &audit,
        )
        .await;
    match created {
        Ok(row) => view(state, user, row).await,
        Err(error) => {
            // Nothing left behind: the files no row names go again.
            remove_unreferenced(state, &keys).await;
            Err(error)
        }
    }
}

/// Removes those of `keys` that no library item uses (another item may
/// share a file: the same pixels give the same WebP bytes).
pub async fn remove_unreferenced(state: &AppState, keys: &[String]) {
    remove_unreferenced_from(state.store.as_ref(), &state.media, keys).await;
}

/// `remove_unreferenced` for a store and storage outside a running site
/// (`vellum import`).
pub async fn remove_unreferenced_from(store: &dyn crate::store::Store, media: &MediaStorage, keys: &[String]) {
    for key in keys {
        match store.media_key_referenced(key).await {
            Ok(false) => {
                if let Err(error) = media.delete(key).await {
                    tracing::warn!(%error, "media file left behind");
                }
            }
            Ok(true) => {}
            Err(error) => tracing::warn!(%error, key, "media file kept: cannot tell whether it is used"),
        }
    }
}

/// The name shown in the library: the last path segment, printable, at
/// most 200 characters.
pub fn clean_file_name(raw: &str) -> String {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if name.trim().is_empty() {
        "image".to_owned()
    } else {
        name.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

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

    #[test]
    fn library_images_get_their_variants_in_html() {
        let key = format!("{}.jpg", "a".repeat(64));
        let variant = |width: i64, content_type: &str, ext: &str| VariantRow {
            media_id: 1,
            key: format!("{}.{ext}", "b".repeat(63) + &width.to_string()[..1]),
            content_type: content_type.to_owned(),
            width,
            height: width / 2,
            bytes: 1000,
        };
        let media = MediaRow {
            id: 1,
            original_key: key.clone(),
            file_name: "chart.jpg".into(),
            content_type: "image/jpeg".into(),
            width: 1000,
            height: 500,
            bytes: 5000,
            alt: "A chart".into(),
            uploaded_by: None,
            uploader: None,
            created_at: Utc::now(),
        };
        let index = MediaIndex::from([(
            key.clone(),
            MediaImage {
                media,
                variants: vec![variant(400, "image/webp", "webp"), variant(400, "image/jpeg", "jpg")],
            },
        )]);
        let html = format!("<p><img src=\"/media/{key}\" alt=\"A chart\"></p><img src=\"/elsewhere.png\" alt=\"\">");
        let out = responsive_images(&html, &index);
        assert!(out.contains("srcset=\"/media/"), "{out}");
        assert!(out.contains(" 400w\""), "{out}");
        assert!(out.contains("width=\"1000\" height=\"500\" loading=\"lazy\""), "{out}");
        assert!(out.contains(&format!("src=\"/media/{key}\" alt=\"A chart\"")), "{out}");
        assert!(
            out.contains("<img src=\"/elsewhere.png\""),
            "other images stay as they were: {out}"
        );
        assert_eq!(mentioned_keys(&[&html]), vec![key]);
    }
}
