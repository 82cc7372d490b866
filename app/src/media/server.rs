//! Media on the server: reading uploads safely and making the variants
//! (`process`), the responsive `<img>` markup of public pages
//! (`responsive`), and the library's server-function bodies (`library`).
//! The keys every part shares are checked here.

mod library;
mod process;
mod responsive;

pub use crate::store::model::media::*;
pub use library::{
    alt_text, clean_file_name, delete, list, remove_unreferenced, remove_unreferenced_from, set_alt, upload, view,
};
pub use process::{Processed, Refusal, StoredFile, VARIANT_WIDTHS, process};
pub use responsive::{MediaImage, MediaIndex, key_of, media_index, mentioned_keys, responsive_images};

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
