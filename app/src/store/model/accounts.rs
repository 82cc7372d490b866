//! People as stored: users, their set-password links, the audit log and
//! failed sign-ins.

use chrono::{DateTime, Utc};

use crate::audit::AuditAction;
use crate::domain::Role;
use crate::input::people::{DisplayName, Email};

/// A user as stored, including the password hash (which never leaves the
/// server: `view()` drops it).
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub avatar_url: String,
    pub credentials: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub active: bool,
    pub password_hash: Option<String>,
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A user to be created. The password hash is absent when the user will
/// set their password through a link.
pub struct NewUser {
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub password_hash: Option<String>,
    /// A set-password link created together with the user.
    pub password_link: Option<PasswordLink>,
}

/// A set-password link as stored: the token's digest and its end.
pub struct PasswordLink {
    pub token_digest: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub address: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub action: Option<AuditAction>,
    pub limit: i64,
}

/// Whose failed attempts: the email typed (trimmed, lower case; empty for
/// attempts that name no account, such as set-password links) and the
/// client's address as throttling groups it (an IPv6 /64 is one address).
#[derive(Debug, Clone, Copy)]
pub struct FailureKey<'a> {
    pub email: &'a str,
    pub address: &'a str,
}

/// Failures inside the window: of one account from one client address
/// (the pair), and of that address for every account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureCounts {
    pub pair: i64,
    pub pair_oldest: Option<DateTime<Utc>>,
    pub address: i64,
    pub address_oldest: Option<DateTime<Utc>>,
}
