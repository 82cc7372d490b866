//! What time it is, as one value the whole server asks. Tests and the
//! scheduling tests in particular move it instead of sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, SubsecRound, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock, optionally shifted by a fixed offset
/// (`VELLUM_CLOCK_OFFSET_SECS`, for tests that restart the binary "later").
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    pub offset: Duration,
}

impl Clock for SystemClock {
    /// In microseconds, the precision PostgreSQL keeps: a time reads back
    /// the same from either database, and survives a move between them.
    fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.offset).trunc_subsecs(6)
    }
}

/// A clock that stands still until it is set or moved.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now(), start + Duration::seconds(90));
        let shifted = SystemClock {
            offset: Duration::hours(1),
        };
        assert!(shifted.now() > Utc::now() + Duration::minutes(59));
    }
}
