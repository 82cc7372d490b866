//! Preview links: an editor shares a post before it is published, with a
//! front end (`/api/v1/preview/{token}`) or a person (`/preview/{token}`).
//! A link expires (7 days unless chosen otherwise), can be revoked, and may
//! pin the revision it was made from.

pub mod api;
pub mod panel;
#[cfg(feature = "ssr")]
pub mod server;
