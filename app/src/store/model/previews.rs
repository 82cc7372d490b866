//! Preview links as stored: only their digests.

use chrono::{DateTime, Utc};

/// A preview link as stored, with who made it and the version it pins.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviewLinkRow {
    pub id: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub pinned_version: Option<i64>,
}

/// A link to store: the token's digest, never the token.
#[derive(Debug, Clone)]
pub struct NewPreviewLink {
    pub token_hash: String,
    pub post_id: i64,
    pub pin: bool,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}
