//! API tokens as stored: only their digests.

use chrono::{DateTime, Utc};

use crate::input::tokens::{Scope, TokenName};

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub user_id: i64,
    pub name: TokenName,
    pub scope: Scope,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// 1 once its owner's password, role or activation changed since.
    pub ended: i64,
}

/// What a presented token allows: whose it is and its scope.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenGrant {
    pub token_id: i64,
    pub user_id: i64,
    pub scope: String,
    pub last_used_at: Option<DateTime<Utc>>,
}
