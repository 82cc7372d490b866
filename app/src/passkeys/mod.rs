//! Passkeys (WebAuthn): people add passkeys on their profile and sign in
//! with one instead of a password ("Sign in with a passkey", discoverable
//! credentials, so no email address is typed). A passkey is both factors.
//!
//! `api.rs` the server functions; `profile.rs` the profile's section and
//! `sign_in.rs` the sign-in page's button (each page adds one line);
//! `browser.rs` the bridge to `/pkg/vellum-passkeys.js`, which calls
//! navigator.credentials; `server.rs` (server only) the relying party, the
//! ceremonies and the list, with webauthn-rs.

pub mod api;
mod browser;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod server;
pub mod sign_in;

pub use api::{Challenge, PasskeyList, PasskeyView};
