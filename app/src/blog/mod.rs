//! The public blog. Its pages are rendered on the server from Leptos
//! components straight to an HTML string: no hydration, no streaming, no
//! script, so readers download HTML and one style sheet and nothing else.
//! The whole module is server-only.

mod assets;
mod chrome;
mod error;
mod feeds;
mod images;
mod layout;
mod pages;
mod post_page;
mod server;
mod site_pages;

pub use server::{fallback, not_found, routes};
