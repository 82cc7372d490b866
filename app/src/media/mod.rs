//! The media library: images uploaded from the editor or the library page.
//! Every upload is sniffed from its bytes, decoded within size and pixel
//! limits, turned upright and re-encoded (which drops EXIF, GPS included),
//! and stored with resized variants in WebP and its own format under
//! content-addressed keys. Public pages and the API offer the variants.

pub mod api;
pub mod page;
pub mod picker;
#[cfg(feature = "ssr")]
mod routes;
#[cfg(feature = "ssr")]
pub mod server;
pub mod upload;

#[cfg(feature = "ssr")]
pub use routes::{routes, session_routes};
