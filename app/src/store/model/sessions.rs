//! Signed-in sessions as the session list shows them: one row per
//! sign-in, found by the random key its session holds.

use chrono::{DateTime, Utc};

/// A sign-in, as `start_session` stores it.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The random key the session carries; never shown.
    pub key: String,
    pub user_id: i64,
    /// The user's session epoch at sign-in.
    pub epoch: i64,
    /// Readable: "Chrome on Linux".
    pub browser: String,
    pub address: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub session_key: String,
    pub user_id: i64,
    pub browser: String,
    pub address: String,
    pub started_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}
