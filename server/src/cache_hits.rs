//! Cache hits answered before the router's layers: a fresh entry of the
//! public cache is written as it was stored (its security headers with
//! it), after only what a hit still needs: the API's content key and rate
//! limit, the request's metrics and its log line. Everything else goes
//! the whole way through `router`'s layers to `http_cache::conditional_get`,
//! which catches up with changes, renders and stores: a miss, an entry
//! being renewed, a cache behind the store's changes or a scheduled time.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use app::state::AppState;
use axum::extract::Request;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use tower::{Layer, Service};

use crate::content_key::{KnownKey, Verdict, needs_key, vary_on_key, verdict};
use crate::http_cache::{cache_key, is_conditional_candidate, preferred_encoding, respond};
use crate::rate_limit::ApiRateLimit;

/// What answering a hit needs besides the cache: the checks that would
/// have run on the way to it.
#[derive(Clone)]
pub struct CacheHits {
    pub state: AppState,
    pub limits: Arc<ApiRateLimit>,
    pub known_key: Arc<KnownKey>,
}

impl<S> Layer<S> for CacheHits {
    type Service = AnswerHits<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AnswerHits {
            hits: self.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct AnswerHits<S> {
    hits: CacheHits,
    inner: S,
}

impl<S> Service<Request> for AnswerHits<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    // Readiness is the inner service's: axum's routes and middleware
    // reserve nothing in `poll_ready`, so a hit that does not call it
    // leaves nothing held.
    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let (mut parts, body) = request.into_parts();
        match self.hits.answer(&mut parts) {
            Some(response) => {
                if self.hits.state.config.metrics_on {
                    let route = crate::metrics::route_class(parts.uri.path());
                    crate::metrics::record_request(route, response.status(), started);
                }
                crate::request_log::record(&parts.method, parts.uri.path(), response.status(), started);
                Either::Left(ready(Ok(response)))
            }
            None => Either::Right(self.inner.call(Request::from_parts(parts, body))),
        }
    }
}

impl CacheHits {
    /// The answer when the cache has a fresh one; `None` sends the request
    /// the whole way (with the rate limit's verdict when it was counted
    /// here, so that it is counted once).
    fn answer(&self, parts: &mut Parts) -> Option<Response> {
        let path = parts.uri.path();
        let cache = &self.state.public_cache;
        if !cache.is_on() || !is_conditional_candidate(&parts.method, path) {
            return None;
        }
        let version = self.state.store.public_version();
        let now = self.state.clock.now();
        // A refused key is answered the whole way, which says why.
        let opened_by_key = if needs_key(&parts.method, path) {
            match verdict(&self.known_key.known_at(version)?, now, parts) {
                Verdict::Open => false,
                Verdict::OpenedByKey => true,
                Verdict::Refused => return None,
            }
        } else {
            false
        };
        let key = cache_key(&parts.uri, &parts.headers);
        let hit = cache.fresh(&key, version, now)?;
        drop(key);
        if let Some(refused) = self.limits.refusal(parts) {
            parts.extensions.insert(refused);
            return None;
        }
        cache.count_early_hit();
        let if_none_match = parts
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok());
        let mut response = respond(hit.variant(preferred_encoding(&parts.headers)), "HIT", if_none_match);
        if opened_by_key {
            vary_on_key(&mut response);
        }
        Some(response)
    }
}
