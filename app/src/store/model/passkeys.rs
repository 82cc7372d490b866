//! Passkeys as stored: each person's passkeys, their user handle, and the
//! ceremonies under way (see `migrations/*/0024_passkeys.sql`).

use chrono::{DateTime, Utc};

use crate::input::passkeys::PasskeyName;

/// A passkey as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The authenticator's id for it, base64url.
    pub credential_id: String,
    /// What checking a sign-in needs (public key, counter), as JSON.
    pub credential: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A passkey whose addition was verified.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    pub user_id: i64,
    pub name: PasskeyName,
    pub credential_id: String,
    pub credential: String,
    pub created_at: DateTime<Utc>,
}

/// What a ceremony is for: adding a passkey, or signing in with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyPurpose {
    Register,
    SignIn,
}

impl CeremonyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
        }
    }
}

/// A ceremony to start: its token's digest, whose it is, and what
/// checking its answer needs.
#[derive(Debug, Clone)]
pub struct NewCeremony<'a> {
    pub token_hash: &'a str,
    pub purpose: CeremonyPurpose,
    /// Whose passkey is being added; `None` for a sign-in.
    pub user_id: Option<i64>,
    /// The client's address (a limit of ceremonies under way per address).
    pub address: &'a str,
    pub state: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A ceremony taken by its answer: it is gone from the store from then on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CeremonyRow {
    pub user_id: Option<i64>,
    pub state: String,
    pub expires_at: DateTime<Utc>,
}

/// A passkey that was just used: its credential with the new counter.
#[derive(Debug, Clone)]
pub struct PasskeyUse<'a> {
    pub id: i64,
    /// `None` when nothing in it changed.
    pub credential: Option<&'a str>,
    pub at: DateTime<Utc>,
}
