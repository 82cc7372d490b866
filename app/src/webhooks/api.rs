//! The webhooks' server functions (admins only) and the types they
//! exchange.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The events a webhook may ask for: articles' (`post.*`) and pages'
/// (`page.*`; a page in the trash is `page.deleted`).
pub const EVENTS: [&str; 9] = [
    "post.published",
    "post.updated",
    "post.unpublished",
    "post.scheduled",
    "post.trashed",
    "page.published",
    "page.updated",
    "page.unpublished",
    "page.deleted",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// Receivers check signatures with it; only admins see this page.
    pub secret: String,
    /// After a rotation: until when the previous secret also signs.
    pub previous_secret_until: Option<String>,
    pub created: String,
    /// The newest deliveries, newest first.
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub created: String,
    /// The last answer's status code, when there was an answer.
    pub status: Option<i64>,
    pub response_ms: Option<i64>,
    pub error: Option<String>,
    /// When a pending delivery is tried again.
    pub next_attempt: Option<String>,
}

#[server]
pub async fn list_webhooks() -> Result<Vec<WebhookView>, AppError> {
    let _admin = crate::accounts::server::require_role(crate::accounts::Role::Admin).await?;
    super::server::list(&crate::state::app_state()?).await
}

#[server]
pub async fn create_webhook(url: String, #[server(default)] events: Vec<String>) -> Result<WebhookView, AppError> {
    let admin = crate::accounts::server::require_role(crate::accounts::Role::Admin).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::create(&state, &caller, &url, &events).await
}

#[server]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let admin = crate::accounts::server::require_role(crate::accounts::Role::Admin).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::delete(&state, &caller, id).await
}

/// Gives the webhook a new secret. The previous one also signs every
/// delivery for a day, so the receiver can switch without losing any.
#[server]
pub async fn rotate_webhook_secret(id: i64) -> Result<WebhookView, AppError> {
    let admin = crate::accounts::server::require_role(crate::accounts::Role::Admin).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::rotate_secret(&state, &caller, id).await
}

/// Queues a `ping` delivery, signed like every other.
#[server]
pub async fn send_test_webhook(id: i64) -> Result<(), AppError> {
    let _admin = crate::accounts::server::require_role(crate::accounts::Role::Admin).await?;
    super::server::send_test(&crate::state::app_state()?, id).await
}
