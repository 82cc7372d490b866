//! Content shared by posts, previews and the API. Server-only: there is
//! one renderer, on the server, so the preview is exactly what is published.

pub mod citation;
#[cfg(test)]
mod html_tags;
pub mod render;
#[cfg(test)]
mod render_props;
pub mod sources;

pub use render::{Heading, Rendered, render_markdown};
pub use sources::Source;

/// Where the content API answers (`docs/api.md`). Here rather than in
/// `content_api` because webhook payloads and preview links name API
/// addresses too, and neither should depend on the API's handlers.
pub const API_PREFIX: &str = "/api/v1";

/// Where media files are served; a file's key follows it. The store
/// looks for it in posts' text to find which posts use an image.
pub const MEDIA_PREFIX: &str = "/media/";

/// A key as Vellum makes them: 64 hex digits and a known extension. Keys
/// from URLs and texts are checked with this before they reach storage.
pub fn is_media_key(key: &str) -> bool {
    let Some((hash, extension)) = key.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(extension, "jpg" | "png" | "webp" | "gif")
}

/// The media keys a text names (`/media/<key>`), in order, repeats
/// included.
pub fn media_keys_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(MEDIA_PREFIX).filter_map(|(at, _)| {
        let rest = &text[at + MEDIA_PREFIX.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(rest.len());
        // A sentence may end right after a bare address.
        Some(rest[..end].trim_end_matches('.')).filter(|key| is_media_key(key))
    })
}

/// Where readers find a post with this slug.
pub fn public_path(slug: &str) -> String {
    format!("/posts/{slug}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_keys_are_read_from_markdown_html_and_covers() {
        let (a, b) = ("ab".repeat(32), "cd".repeat(32));
        let text = format!(
            "![Chart](/media/{a}.webp \"t\") <img src=\"/media/{b}.png\"> [again](/media/{a}.webp). \
             /media/{a}.exe /media/short.jpg /media/ /posts/x See /media/{b}.png."
        );
        let keys: Vec<&str> = media_keys_in(&text).collect();
        assert_eq!(
            keys,
            [
                format!("{a}.webp"),
                format!("{b}.png"),
                format!("{a}.webp"),
                format!("{b}.png")
            ]
        );
    }
}
