//! The library images that texts mention, and the responsive `<img>`
//! markup public pages give them.

use std::collections::HashMap;

use super::is_media_key;
use crate::content::MEDIA_PREFIX;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::model::media::{MediaRow, VariantRow};

/// The `sizes` of body images: the article column is at most 46rem wide.
const BODY_SIZES: &str = "(max-width: 46rem) 100vw, 46rem";

/// The most keys one lookup asks for: far more images than any page
/// shows, far fewer than a database's parameter limit.
const MAX_KEYS: usize = 500;

/// The media keys a text mentions (`/media/<key>`), each once, at most
/// `MAX_KEYS`.
pub fn mentioned_keys(texts: &[&str]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for text in texts {
        for key in crate::content::media_keys_in(text) {
            if seen.insert(key) {
                keys.push(key.to_owned());
                if keys.len() == MAX_KEYS {
                    return keys;
                }
            }
        }
    }
    keys
}

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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

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
