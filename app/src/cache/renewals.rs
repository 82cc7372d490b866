//! Renders entries a change touched again, in the background, through
//! the public routes: the cache layer on them stores what they answer.
//! Meanwhile readers get the previous render (for at most `STALE_FOR`).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::state::AppState;

/// Marks a request the cache made itself to render an entry again: the
/// cache layer renders it even though an entry exists.
#[derive(Debug, Clone, Copy)]
pub struct Renewal;

/// The largest answer a renewal reads back.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How long `settle` waits for renewals at most.
const SETTLE_AT_MOST: Duration = Duration::from_secs(5);

/// At most this many keys wait to be rendered again; more are dropped
/// (a lazy one is asked again later, an eager one renders on its next
/// read).
const MAX_QUEUED: usize = 4096;

#[derive(Debug, Default)]
struct Queue {
    keys: VecDeque<String>,
    queued: HashSet<String>,
    /// Whether a worker is draining the queue.
    working: bool,
}

/// One worker renders the queued keys one after the other: renewals never
/// take more than one core from readers, however many pages a change
/// touched or readers found stale.
#[derive(Debug, Default)]
pub struct Renewals {
    router: OnceLock<Router>,
    queue: Mutex<Queue>,
    settled: Notify,
}

/// Marks the worker gone when dropped, even if a render panicked.
struct Working(Arc<Renewals>);

impl Drop for Working {
    fn drop(&mut self) {
        self.0.lock().working = false;
        self.0.settled.notify_waiters();
    }
}

impl Renewals {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The routes renewals go through (set once, when the router is built).
    pub fn serve_through(&self, router: Router) {
        let _ = self.router.set(router);
    }

    /// Queues `keys` to be rendered again in the background.
    pub fn start(self: &Arc<Self>, keys: Vec<String>) {
        let Some(router) = self.router.get().cloned() else {
            return;
        };
        let mut queue = self.lock();
        for key in keys {
            if queue.keys.len() >= MAX_QUEUED {
                break;
            }
            if queue.queued.insert(key.clone()) {
                queue.keys.push_back(key);
            }
        }
        if queue.working || queue.keys.is_empty() {
            return;
        }
        queue.working = true;
        drop(queue);
        let working = Working(self.clone());
        tokio::spawn(async move {
            loop {
                let next = {
                    let mut queue = working.0.lock();
                    let next = queue.keys.pop_front();
                    if let Some(key) = &next {
                        queue.queued.remove(key);
                    }
                    next
                };
                let Some(key) = next else { break };
                renew(&router, &key).await;
            }
            drop(working);
        });
    }

    /// Waits until the queue is empty and its worker done (or
    /// `SETTLE_AT_MOST` passed).
    pub async fn settle(&self) {
        let settled = async {
            loop {
                let notified = self.settled.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if !self.lock().working {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(SETTLE_AT_MOST, settled).await.is_err() {
            tracing::warn!("pages touched by a change were still being rendered after {SETTLE_AT_MOST:?}");
        }
    }
}

/// Asks the router for `key` again.
async fn renew(router: &Router, key: &str) {
    let (origin, address) = match key.split_once(' ') {
        Some((origin, address)) if !key.starts_with('/') => (Some(origin), address),
        _ => (None, key),
    };
    let Ok(uri) = address.parse() else { return };
    let mut request = Request::new(Body::empty());
    *request.uri_mut() = uri;
    if let Some(origin) = origin.and_then(|origin| HeaderValue::from_str(origin).ok()) {
        request.headers_mut().insert(header::ORIGIN, origin);
    }
    request.extensions_mut().insert(Renewal);
    let Ok(response) = router.clone().oneshot(request).await;
    // Read to the end: the cache layer has stored it already.
    let _ = to_bytes(response.into_body(), MAX_BODY_BYTES).await;
}

/// Brings the cache up to the store's changes, starts rendering again
/// what they touched, and reads when the next scheduled post goes live.
/// Returns the version the cache is at.
pub async fn catch_up(state: &AppState) -> u64 {
    let cache = &state.public_cache;
    let version = state.store.public_version();
    let now = state.clock.now();
    let synced = cache.sync(version, now, |from, to| state.store.public_changes_since(from, to));
    let mut renew = synced.renew;
    if let Some(since) = synced.came_due {
        // No write says what a scheduled time touched: the store is asked.
        let change = match state.store.touched_between(since, now).await {
            Ok(touched) => touched.into_change(),
            Err(_) => crate::store::changes::PublicChange::Everything,
        };
        renew.extend(cache.apply_unwritten(change));
    }
    if (synced.applied || synced.came_due.is_some())
        && let Ok(next) = state.store.next_public_change_after(now).await
    {
        cache.set_horizon(version, next);
    }
    if !renew.is_empty() {
        cache.renewals.start(renew);
    }
    version
}

/// Catches up with the changes made so far and waits for what they
/// touched to be rendered again. A write made through the admin ends
/// with this, so that its author sees the change on the next page.
pub async fn settle(state: &AppState) {
    if state.public_cache.is_on() {
        catch_up(state).await;
        state.public_cache.renewals.settle().await;
    }
}
