//! Posts: drafts saved with a version check, and the editorial workflow as
//! a pure state machine.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod workflow;

pub use api::PostView;
