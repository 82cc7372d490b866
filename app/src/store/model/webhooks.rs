//! Webhooks as stored, their delivery queue and the outcome of a try.

use chrono::{DateTime, Utc};

use crate::input::outbound::WebhookUrl;
use crate::store::model::posts::Post;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    /// The chosen kinds between commas.
    pub events: String,
    pub secret: String,
    /// The secret before the last rotation, and until when it also signs.
    pub previous_secret: String,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl WebhookRow {
    /// The previous secret while it still signs at `now`.
    pub fn previous_secret_at(&self, now: DateTime<Utc>) -> Option<(&str, DateTime<Utc>)> {
        self.previous_secret_until
            .filter(|until| *until > now && !self.previous_secret.is_empty())
            .map(|until| (self.previous_secret.as_str(), until))
    }

    pub fn event_list(&self) -> Vec<String> {
        self.events
            .split(',')
            .filter(|kind| !kind.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A webhook to store, its address already checked.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub events: Vec<&'static str>,
    pub secret: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl NewWebhook {
    /// ",post.published,post.updated," for the subscribers' LIKE.
    pub fn events_column(&self) -> String {
        format!(",{},", self.events.join(","))
    }
}

/// One delivery as the log shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub event: String,
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i64>,
    pub last_response_ms: Option<i64>,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A claimed delivery, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryJob {
    pub id: i64,
    pub url: String,
    pub secret: String,
    /// Empty unless a rotation's overlap runs: then it signs too.
    pub previous_secret: String,
    pub event: String,
    pub payload: String,
    /// Including the one about to be made.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// What one attempt came to, as the queue records it.
#[derive(Debug, Clone)]
pub struct DeliveryOutcome {
    pub state: DeliveryState,
    pub status: Option<i64>,
    pub response_ms: Option<i64>,
    pub error: Option<String>,
    /// When to try again (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Set once the delivery is delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A post event as the outbox records it, for its payload to be written.
#[derive(Debug, Clone, Copy)]
pub struct PostEvent<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub post: &'a Post,
    pub site_url: &'a str,
    pub at: DateTime<Utc>,
}

/// Writes the body a webhook receives for a post event. The webhooks
/// feature owns that format; the store is handed it with the change, so
/// the payload is written in the change's transaction as a snapshot.
pub type EventPayload = fn(&PostEvent<'_>) -> String;
