//! Two-factor sign-in: an authenticator app (TOTP, RFC 6238) with ten
//! one-time recovery codes, the sign-in's second step, the site's policy
//! (whom sign-in asks for a second factor) and an admin's reset.
//!
//! `api.rs` the server functions and their types; `pages.rs` the code
//! page, the set-up page and the profile's section; `policy_form.rs` the
//! Settings page's card; `people_card.rs` the Users page's card; `server`
//! (server only) the bodies.

pub mod api;
pub mod pages;
pub mod people_card;
pub mod policy_form;
#[cfg(feature = "ssr")]
pub mod server;
