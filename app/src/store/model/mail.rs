//! Outgoing email as stored: the outbox's messages, their delivery log,
//! each person's notification choices, and notifications on their way to
//! an inbox.

use chrono::{DateTime, Utc};

/// The kind an unsubscribe link of a daily digest names: it turns off
/// every kind that goes to the digest.
pub const DIGEST_KIND: &str = "digest";

/// A message to queue. The subject, names and addresses were checked for
/// line breaks before this was built (`mail::Letter`).
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub kind: String,
    pub message_id: String,
    /// A notification's one-click unsubscribe link, and who and what it
    /// unsubscribes.
    pub unsubscribe: Option<UnsubscribeLink>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct UnsubscribeLink {
    pub url: String,
    pub token_digest: String,
    pub user_id: i64,
    pub kind: String,
}

/// A claimed message, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailJob {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub kind: String,
    pub message_id: String,
    pub unsubscribe_url: String,
    /// Including the one about to be made.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

/// A message as the delivery log shows it: no bodies.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailLogRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct MailOutcome {
    /// `sent`, `pending` (tried again at `next_attempt_at`) or `failed`.
    pub state: &'static str,
    pub error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A notification on its way to an inbox, with its recipient and their
/// choice for its kind (`None`: no choice made, which means at once).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailNotification {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub kind: String,
    pub post_id: i64,
    pub post_title: String,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub mode: Option<String>,
}

/// Where a notification goes from `new`: an instant message, the digest,
/// or nowhere.
#[derive(Debug, Clone)]
pub enum NotificationRoute {
    Instant(Box<NewMail>),
    Digest,
    Skip,
}

/// A confirmed change of email address.
#[derive(Debug, Clone)]
pub struct EmailChangeRequest {
    pub user_id: i64,
    pub new_email: String,
    pub token_digest: String,
    pub expires_at: DateTime<Utc>,
}
