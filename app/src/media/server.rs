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

pub use crate::content::is_media_key;

pub fn content_type_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}
