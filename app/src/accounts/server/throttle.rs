//! Throttling of what anyone may call without signing in: sign-in, the
//! first admin's set-up and set-password links. Failures are rows in the
//! database, so neither a restart nor a second instance resets the count.
//!
//! A sign-in waits after five failures of one account *from one address*:
//! counting an account's failures from everywhere would let anyone keep
//! its owner out with a few wrong passwords. Each address (an IPv6 /64
//! counts as one) also waits after twenty failures of any kind.

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;
use crate::state::AppState;
pub use crate::store::model::accounts::{FailureCounts, FailureKey};

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// An attempt under way, counted as failed until `succeeded`.
#[must_use]
pub struct Attempt {
    id: i64,
    /// The failures in the window, this attempt included.
    pub counts: FailureCounts,
}

/// Records this attempt as a failure first, then counts. Counting after
/// recording means parallel attempts see each other: at most the allowed
/// number get through, however many arrive at once. An attempt over the
/// limit is taken back and refused, before any password is checked or
/// hashed, with the time to wait.
pub async fn begin_attempt(state: &AppState, key: &FailureKey<'_>) -> Result<Attempt, AppError> {
    let now = state.clock.now();
    let window = Duration::minutes(WINDOW_MINUTES);
    let id = state.store.record_login_attempt(key, now).await?;
    let mut counts = state.store.login_failures_since(key, now - window).await?;
    if key.email.is_empty() {
        // Attempts that name no account all share the empty name: only
        // the per-address limit applies to them.
        counts.pair = 0;
    }
    match blocked_until(&counts, window) {
        Some(until) => {
            state.store.forget_login_attempt(id).await?;
            Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
            })
        }
        None => Ok(Attempt { id, counts }),
    }
}

impl Attempt {
    /// Takes the attempt back: it worked, so it counts against nobody.
    pub async fn succeeded(self, state: &AppState) -> Result<(), AppError> {
        state.store.forget_login_attempt(self.id).await
    }

    /// Whether this failure is the one after which the pair or the address
    /// must wait: the moment worth one audit entry, where every failure
    /// would let a stranger fill the log.
    pub fn starts_a_wait(&self) -> bool {
        self.counts.pair == MAX_FAILURES_PER_PAIR || self.counts.address == MAX_FAILURES_PER_ADDRESS
    }
}

/// `counts` include the attempt being made: blocked when it is one more
/// than the limit.
fn blocked_until(counts: &FailureCounts, window: Duration) -> Option<DateTime<Utc>> {
    let pair = (counts.pair > MAX_FAILURES_PER_PAIR)
        .then_some(counts.pair_oldest)
        .flatten();
    let address = (counts.address > MAX_FAILURES_PER_ADDRESS)
        .then_some(counts.address_oldest)
        .flatten();
    pair.max(address).map(|oldest| oldest + window)
}

/// Forgets failures no limit counts any more (run hourly).
pub async fn purge_old_failures(state: &AppState) -> Result<u64, AppError> {
    let before = state.clock.now() - Duration::minutes(WINDOW_MINUTES);
    state.store.purge_login_failures(before).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_of_a_pair_or_twenty_of_an_address_block() {
        let window = Duration::minutes(WINDOW_MINUTES);
        let t = Utc::now();
        let mut counts = FailureCounts {
            pair: 5,
            pair_oldest: Some(t),
            address: 20,
            address_oldest: Some(t),
        };
        assert_eq!(
            blocked_until(&counts, window),
            None,
            "the fifth failure may still be tried"
        );
        counts.pair = 6;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
        counts.pair = 0;
        counts.address = 21;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
    }
}
