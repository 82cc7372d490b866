//! Posts: the editor with autosave and conflict handling, revisions,
//! review with comments and notifications, and the editorial workflow as
//! a state machine enforced on the server.

pub mod api;
pub mod editor;
mod next_review;
pub mod pages;
mod review_panel;
#[cfg(feature = "ssr")]
pub mod server;
pub mod workflow;

pub use api::PostView;

/// Search engines show about this many characters of a title and a
/// description; the editor shows them as hints, not limits.
pub const SEO_TITLE_HINT: usize = 60;
pub const SEO_DESCRIPTION_HINT: usize = 160;
