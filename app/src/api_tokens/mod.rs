//! Personal API tokens: a person's key for the admin API
//! (`Authorization: Bearer …`). A token acts as its owner, with the
//! owner's current role, and its scope narrows that further: `read` only
//! reads. Tokens are shown once, stored as digests, and revocable.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod server;
