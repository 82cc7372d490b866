//! The export: the whole site in open formats, to keep or to take
//! elsewhere. `vellum export DIR` writes it into a folder; admins download
//! the same as a .tar.gz from Settings.

pub mod api;
#[cfg(feature = "ssr")]
mod routes;
#[cfg(feature = "ssr")]
pub mod writer;

pub use api::EXPORT_PATH;
#[cfg(feature = "ssr")]
pub use routes::session_routes;
