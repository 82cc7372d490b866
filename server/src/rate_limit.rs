//! Rate limits for the API: per client address for everything under
//! `/api/v1` (public and admin), and per personal API token for the admin
//! API. Past a limit, 429 with Retry-After (as a problem detail), so one
//! client cannot starve others.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::accounts::server::{client_address, throttle_key, token_digest};
use app::api_tokens::server::bearer_token;
use app::content_api::problem::Problem;
use app::error::AppError;
use axum::extract::Request;
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::security::{is_admin_api, is_public_api};

/// How often (in requests) keys not seen for a while are forgotten.
const FORGET_EVERY: u64 = 4096;

/// One allowance per key (an address, or a token's digest).
struct Allowance {
    limiter: DefaultKeyedRateLimiter<String>,
    requests: AtomicU64,
}

impl Allowance {
    /// `None` when `per_minute` is 0 (no limit).
    fn new(per_minute: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            requests: AtomicU64::new(0),
        })
    }

    /// `Err(seconds to wait)` once `key` has used its allowance.
    fn check(&self, key: &String) -> Result<(), u64> {
        if self
            .requests
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(FORGET_EVERY)
        {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

pub struct ApiRateLimit {
    per_address: Option<Allowance>,
    per_token: Option<Allowance>,
    trust_proxy: bool,
}

impl ApiRateLimit {
    pub fn new(per_address: u32, per_token: u32, trust_proxy: bool) -> Arc<Self> {
        Arc::new(Self {
            per_address: Allowance::new(per_address),
            per_token: Allowance::new(per_token),
            trust_proxy,
        })
    }

    /// Counts an API request against its address's allowance, and an
    /// admin API request with a bearer token against that token's too;
    /// says how long to wait once one is used up. Other requests pass.
    pub fn refusal(&self, parts: &Parts) -> Option<Refused> {
        let path = parts.uri.path();
        let admin = is_admin_api(path);
        if !admin && !is_public_api(path) {
            return None;
        }
        if let Some(allowance) = &self.per_address
            && let Err(retry_after_secs) = allowance.check(&throttle_key(&client_address(parts, self.trust_proxy)))
        {
            return Some(Refused { retry_after_secs });
        }
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token);
        if admin
            && let Some(allowance) = &self.per_token
            && let Some(token) = bearer
            && let Err(retry_after_secs) = allowance.check(&token_digest(token))
        {
            return Some(Refused { retry_after_secs });
        }
        None
    }
}

/// A request past its allowance. Put in the request's extensions when it
/// was counted before the router (`cache_hits`): it is not counted again.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    retry_after_secs: u64,
}

/// The rate limits as a middleware (`ApiRateLimit::refusal`).
pub async fn limit(limits: Arc<ApiRateLimit>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let refused = match parts.extensions.get::<Refused>() {
        Some(refused) => Some(*refused),
        None => limits.refusal(&parts),
    };
    if let Some(Refused { retry_after_secs }) = refused {
        return too_many(retry_after_secs);
    }
    next.run(Request::from_parts(parts, body)).await
}

fn too_many(retry_after_secs: u64) -> Response {
    Problem::from(AppError::TooManyRequests { retry_after_secs }).into_response()
}
