//! Webhooks: an admin registers an address and the events it wants; each
//! event is queued in the transaction of the change it reports, signed
//! with the webhook's secret (HMAC-SHA256 over timestamp and body) and
//! delivered by a background worker, with retries for 24 hours. The
//! delivery log shows every outcome.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod server;
