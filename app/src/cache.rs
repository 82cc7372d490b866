//! The in-process cache of rendered public responses (pages, feeds, API
//! reads). An entry is served only while nothing readers see has changed:
//! the store's public version must match the one the entry was rendered
//! at (writes here and, on PostgreSQL, in other instances move it), and a
//! scheduled post's time must not have come since. So no reader ever gets
//! a page older than the last change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

/// A response as it left the handler, uncompressed, with its ETag.
#[derive(Debug)]
pub struct CachedResponse {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub etag: String,
}

#[derive(Debug, Default)]
struct Entries {
    /// The store's public version the entries were rendered at.
    version: u64,
    /// When they stop being true on their own (the next scheduled post);
    /// `None` while unknown, `Some(None)` when nothing is scheduled.
    valid_until: Option<Option<DateTime<Utc>>>,
    responses: HashMap<String, Arc<CachedResponse>>,
    bytes: usize,
}

#[derive(Debug)]
pub struct PublicCache {
    budget_bytes: usize,
    entries: Mutex<Entries>,
}

impl PublicCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            budget_bytes,
            entries: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map half-written
        // in a way that matters: at worst an entry is missing.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The response for `key`, if one was rendered since the last change.
    pub fn get(&self, key: &str, version: u64, now: DateTime<Utc>) -> Option<Arc<CachedResponse>> {
        let mut entries = self.lock();
        entries.forget_if_stale(version, now);
        entries.responses.get(key).cloned()
    }

    /// Whether `insert` needs to be told when the next post is scheduled.
    pub fn needs_horizon(&self) -> bool {
        self.lock().valid_until.is_none()
    }

    /// Keeps a response rendered at `version`. `next_publication` is when
    /// the next scheduled post goes live (needed when `needs_horizon`).
    pub fn insert(
        &self,
        key: String,
        response: CachedResponse,
        version: u64,
        now: DateTime<Utc>,
        next_publication: Option<Option<DateTime<Utc>>>,
    ) {
        let mut entries = self.lock();
        if version < entries.version {
            // Rendered before a change this cache already knows about.
            return;
        }
        entries.forget_if_stale(version, now);
        if entries.version != version {
            // Rendered before a change this cache already knows about.
            return;
        }
        if entries.valid_until.is_none() {
            match next_publication {
                Some(next) => entries.valid_until = Some(next),
                None => return,
            }
        }
        let size = key.len() + response.body.len();
        if entries.bytes + size > self.budget_bytes {
            return;
        }
        entries.bytes += size;
        if let Some(replaced) = entries.responses.insert(key, Arc::new(response)) {
            entries.bytes = entries.bytes.saturating_sub(replaced.body.len());
        }
    }
}

impl Entries {
    fn forget_if_stale(&mut self, version: u64, now: DateTime<Utc>) {
        let expired = matches!(self.valid_until, Some(Some(until)) if now >= until);
        if version != self.version || expired {
            *self = Entries {
                version,
                ..Entries::default()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2030-01-15T12:{minute:02}:00Z"))
            .expect("time")
            .with_timezone(&Utc)
    }

    fn page(text: &'static str) -> CachedResponse {
        CachedResponse {
            headers: HeaderMap::new(),
            body: Bytes::from_static(text.as_bytes()),
            etag: "\"x\"".to_owned(),
        }
    }

    #[test]
    fn a_change_or_a_scheduled_time_drops_every_entry() {
        let cache = PublicCache::new(1024);
        assert!(cache.needs_horizon());
        cache.insert("/".into(), page("home"), 0, at(0), Some(Some(at(10))));
        assert_eq!(
            cache.get("/", 0, at(9)).map(|hit| hit.body.clone()),
            Some(Bytes::from("home"))
        );
        assert!(cache.get("/", 1, at(9)).is_none(), "the store's version moved");
        cache.insert("/".into(), page("home"), 1, at(9), Some(Some(at(10))));
        assert!(cache.get("/", 1, at(10)).is_none(), "a post went live at 12:10");
    }

    #[test]
    fn a_response_rendered_before_a_change_is_not_kept() {
        let cache = PublicCache::new(1024);
        assert!(cache.get("/", 2, at(0)).is_none());
        cache.insert("/".into(), page("old"), 1, at(0), Some(None));
        assert!(cache.get("/", 2, at(0)).is_none());
    }

    #[test]
    fn the_budget_bounds_the_memory() {
        let cache = PublicCache::new(12);
        cache.insert("/a".into(), page("12345"), 0, at(0), Some(None));
        cache.insert("/b".into(), page("123456789"), 0, at(0), Some(None));
        assert!(cache.get("/a", 0, at(0)).is_some());
        assert!(cache.get("/b", 0, at(0)).is_none(), "over budget: not kept");
    }
}
