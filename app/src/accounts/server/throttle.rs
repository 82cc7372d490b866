//! Sign-in throttling. Failures are rows in the database, so neither a
//! restart nor a second instance resets the count.

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;
use crate::state::AppState;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// Failures inside the window, per account and per client address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureCounts {
    pub account: i64,
    pub account_oldest: Option<DateTime<Utc>>,
    pub address: i64,
    pub address_oldest: Option<DateTime<Utc>>,
}

/// Refuses the attempt (before any password is checked) when the account
/// or the address has failed too often, saying when to try again.
pub async fn check(state: &AppState, email: &str, address: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let window = Duration::minutes(WINDOW_MINUTES);
    let counts = state.store.login_failures_since(email, address, now - window).await?;
    match blocked_until(&counts, window) {
        Some(until) if until > now => Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
        }),
        _ => Ok(()),
    }
}

fn blocked_until(counts: &FailureCounts, window: Duration) -> Option<DateTime<Utc>> {
    let account = (counts.account >= MAX_FAILURES_PER_ACCOUNT)
        .then_some(counts.account_oldest)
        .flatten();
    let address = (counts.address >= MAX_FAILURES_PER_ADDRESS)
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
            account: 4,
            account_oldest: Some(t),
            address: 19,
            address_oldest: Some(t),
        };
        assert_eq!(blocked_until(&counts, window), None);
        counts.account = 5;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
        counts.account = 0;
        counts.address = 20;
        assert_eq!(blocked_until(&counts, window), Some(t + window));
    }
}
