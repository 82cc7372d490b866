//! Second factors as stored: a person's TOTP secret and their recovery
//! codes' digests.

use chrono::{DateTime, Utc};

/// A person's TOTP secret. `secret` is the shared key itself (base32),
/// which checks every code: it never goes to a log, so `Debug` leaves it
/// out.
#[derive(Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub user_id: i64,
    pub secret: String,
    pub created_at: DateTime<Utc>,
    /// `None` while the set-up waits for its first code.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The time step of the last code accepted; none is accepted again.
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for TotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRow")
            .field("user_id", &self.user_id)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// A set-up's first code accepted: the secret it was checked against
/// (a set-up started again since has another), the code's time step and
/// the digests of the new recovery codes.
pub struct TotpConfirmation<'a> {
    pub user_id: i64,
    pub secret: &'a str,
    pub step: i64,
    pub recovery_digests: &'a [String],
    pub at: DateTime<Utc>,
}
