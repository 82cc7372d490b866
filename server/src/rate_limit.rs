//! A rate limit per client address for the public API: past it, 429 with
//! Retry-After (as a problem detail), so one client cannot starve others.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::accounts::server::client_address;
use app::content_api::problem::Problem;
use app::error::AppError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How often (in requests) addresses not seen for a while are forgotten.
const FORGET_EVERY: u64 = 4096;

pub struct ApiRateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    trust_proxy: bool,
    requests: AtomicU64,
}

impl ApiRateLimit {
    /// `None` when `per_minute` is 0 (no limit).
    pub fn new(per_minute: u32, trust_proxy: bool) -> Option<Arc<Self>> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Arc::new(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            trust_proxy,
            requests: AtomicU64::new(0),
        }))
    }
}

/// Counts requests to the public API (`/api/v1/…`) against their
/// address's allowance; everything else passes.
pub async fn limit(limits: Option<Arc<ApiRateLimit>>, request: Request, next: Next) -> Response {
    let Some(limits) = limits.filter(|_| crate::security::is_public_api(request.uri().path())) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let address = client_address(&parts, limits.trust_proxy);
    let request = Request::from_parts(parts, body);
    if limits.requests.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == 0 {
        limits.limiter.retain_recent();
    }
    match limits.limiter.check_key(&address) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Problem::from(AppError::TooManyRequests { retry_after_secs }).into_response()
        }
    }
}
