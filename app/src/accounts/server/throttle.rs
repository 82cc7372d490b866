//! Sign-in throttling. Failures are rows in the database, so neither a
//! restart nor a second instance resets the count.

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;
use crate::state::AppState;
pub use crate::store::model::accounts::FailureCounts;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// Records this attempt as a failure first (a successful sign-in clears it
/// later), then counts. Counting after recording means parallel attempts
/// see each other: at most the allowed number get through, however many
/// arrive at once. An attempt over the limit is taken back and refused,
/// before any password is checked, with the time to wait.
pub async fn begin_attempt(state: &AppState, email: &str, address: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let window = Duration::minutes(WINDOW_MINUTES);
    let attempt = state.store.record_login_attempt(email, address, now).await?;
    let counts = state.store.login_failures_since(email, address, now - window).await?;
    match blocked_until(&counts, window) {
        Some(until) => {
            state.store.forget_login_attempt(attempt).await?;
            Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
            })
        }
        None => Ok(()),
    }
}

/// `counts` include the attempt being made: blocked when it is one more
/// than the limit.
fn blocked_until(counts: &FailureCounts, window: Duration) -> Option<DateTime<Utc>> {
    let account = (counts.account > MAX_FAILURES_PER_ACCOUNT)
        .then_some(counts.account_oldest)
        .flatten();
    let address = (counts.address > MAX_FAILURES_PER_ADDRESS)
        .then_some(counts.address_oldest)
        .flatten();
    account.max(address).map(|oldest| oldest + window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_account_failures_or_twenty_address_failures_block() {
        let window = Duration::minutes(WINDOW_MINUTES);
        let t = Utc::now();
        let mut counts = FailureCounts {
            account: 5,
            account_oldest: Some(t),
            address: 20,
            address_oldest: Some(t),
        };
        assert_eq!(
            blocked_until(&counts, window),
            None,
            "the fifth failure may still be tried"
        );
        counts.account = 6;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
        counts.account = 0;
        counts.address = 21;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
    }
}
