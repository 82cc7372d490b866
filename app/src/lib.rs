//! Vellum's shared application crate: pages, components and server
//! functions. Built twice: with `ssr` into the server binary and with
//! `hydrate` into the browser's wasm bundle. Everything server-only sits
//! behind `#[cfg(feature = "ssr")]`.

pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod components;
#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod content_api;
pub mod domain;
pub mod error;
pub mod export;
pub mod mail;
pub mod media;
pub mod passkeys;
pub mod posts;
pub mod previews;
pub mod sessions;
pub mod settings;
pub mod two_factor;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod blog;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod input;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod time;

pub use error::AppError;
