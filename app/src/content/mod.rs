//! Content shared by posts, previews and the API. Server-only: there is
//! one renderer, on the server, so the preview is exactly what is published.

pub mod render;

pub use render::{Heading, Rendered, render_markdown};

/// Where the content API answers (`docs/api.md`). Here rather than in
/// `content_api` because webhook payloads and preview links name API
/// addresses too, and neither should depend on the API's handlers.
pub const API_PREFIX: &str = "/api/v1";

/// Where media files are served; a file's key follows it. The store
/// looks for it in posts' text to find which posts use an image.
pub const MEDIA_PREFIX: &str = "/media/";

/// Where readers find a post with this slug.
pub fn public_path(slug: &str) -> String {
    format!("/posts/{slug}")
}
