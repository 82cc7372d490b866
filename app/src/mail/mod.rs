//! Outgoing email: account messages (password resets, invitations,
//! changes of address, notices), notifications by email with each
//! person's choice per kind (at once, a daily digest, or off), one-click
//! unsubscribes (RFC 8058), and the delivery log. Messages are queued in
//! the store's outbox; the server's worker hands them to the SMTP server.
//! Without `VELLUM_SMTP_URL` nothing is queued and the admin shows links
//! to copy instead.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "ssr")]
pub use server::{Notice, queue_notice};
