//! Content shared by posts, previews and the API. Server-only: there is
//! one renderer, on the server, so the preview is exactly what is published.

pub mod render;

pub use render::{Heading, Rendered, render_markdown};

/// Where readers find a post with this slug.
pub fn public_path(slug: &str) -> String {
    format!("/posts/{slug}")
}
